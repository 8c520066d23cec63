import { setTimeout as sleepMs } from "node:timers/promises";
import { performance } from "node:perf_hooks";

/** One arrival of an open loop: its position and the moment it was due (performance.now() ms). */
export interface Arrival {
  index: number;
  scheduledAt: number;
}

export interface ArrivalScheduleOptions {
  /** Arrivals per second, > 0. */
  ratePerSecond: number;
  durationMs: number;
  /** Called once per arrival, never awaited: a slow answer never delays the next arrival. */
  dispatch: (arrival: Arrival) => void;
  /** Stops scheduling; arrivals already dispatched are the caller's to await. */
  signal?: AbortSignal;
  /** The clock and the wait, injectable for tests (default: performance.now, timers). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ArrivalScheduleResult {
  /** Arrivals dispatched. */
  dispatched: number;
  /** Arrivals the rate and duration called for. */
  planned: number;
  /** The largest delay between an arrival's scheduled time and its dispatch, ms (the bench's own lag). */
  maxDispatchLagMs: number;
}

/** How many arrivals `ratePerSecond` for `durationMs` makes: one at t = 0, then one every 1/rate. */
export const plannedArrivals = (ratePerSecond: number, durationMs: number): number => Math.max(1, Math.floor((ratePerSecond * durationMs) / 1000));

/** When arrival `index` is due, ms after the start (a constant rate: no jitter, no waiting on answers). */
export const arrivalOffsetMs = (index: number, ratePerSecond: number): number => (index * 1000) / ratePerSecond;

/**
 * An open loop: dispatches arrival i at start + i/rate, whether or not earlier ones have been
 * answered. When the process falls behind (a GC pause, a busy event loop), every overdue arrival is
 * dispatched at once with its original `scheduledAt`, so latency measured from `scheduledAt` includes
 * the delay and coordinated omission cannot hide it.
 */
export async function runArrivalSchedule(options: ArrivalScheduleOptions): Promise<ArrivalScheduleResult> {
  const { ratePerSecond, durationMs, dispatch, signal } = options;
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
  if (!(durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${durationMs}`);
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const planned = plannedArrivals(ratePerSecond, durationMs);
  const start = now();
  let index = 0;
  let maxDispatchLagMs = 0;
  while (index < planned && !signal?.aborted) {
    const current = now();
    while (index < planned && start + arrivalOffsetMs(index, ratePerSecond) <= current) {
      const scheduledAt = start + arrivalOffsetMs(index, ratePerSecond);
      maxDispatchLagMs = Math.max(maxDispatchLagMs, current - scheduledAt);
      dispatch({ index, scheduledAt });
      index++;
    }
    if (index < planned) {
      const wait = start + arrivalOffsetMs(index, ratePerSecond) - now();
      // Overdue (a dispatch took long): go round at once. Timers have ~1 ms granularity, so a
      // shorter wait is rounded up rather than spun.
      if (wait > 0) await sleep(Math.max(1, wait));
    }
  }
  return { dispatched: index, planned, maxDispatchLagMs };
}
