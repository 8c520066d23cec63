import { describe, expect, it } from "vitest";
import type { StepResult } from "./open-loop-step.js";
import { missedTarget, runSweep, sweepRates } from "./sweep.js";

const step = (rate: number, p99: number, errors = 0, requests = 1_000): StepResult => ({
  offeredRate: rate,
  durationSeconds: 10,
  sent: requests,
  planned: requests,
  completed: requests,
  unfinished: 0,
  throughputRps: rate,
  ok: requests - errors,
  errors,
  errorRate: errors / requests,
  errorsByCode: errors > 0 ? { OVERLOADED: errors } : {},
  errorLatencyMs: {},
  degradedRequests: 0,
  degradedByReason: {},
  latencyMs: { terminal: { count: requests, p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 4 } },
  terminalHistogram: "",
  maxDispatchLagMs: 0,
  resources: [],
});

const target = { p99Ms: 100, maxErrorRate: 0.001 };

describe("missedTarget", () => {
  it("holds under the p99 target with no errors", () => {
    expect(missedTarget(step(100, 99.9), target)).toBeUndefined();
  });
  it("misses at or over the p99 target", () => {
    expect(missedTarget(step(100, 100), target)).toMatch(/p99 100.0 ms ≥ 100 ms/);
  });
  it("misses with errors at 0.1% or more, however fast", () => {
    expect(missedTarget(step(100, 5, 1, 1_000), target)).toMatch(/errors 0.10% ≥ 0.10%/);
    expect(missedTarget(step(100, 5, 1, 2_000), target)).toBeUndefined();
  });
  it("misses when no request ended", () => {
    const none = { ...step(100, 1), latencyMs: {} };
    expect(missedTarget(none, target)).toBe("no request ended");
  });
});

describe("runSweep", () => {
  it("reports the highest rate before the first step that missed, and stops there", async () => {
    const p99ByRate: Record<number, number> = { 100: 10, 200: 30, 300: 150, 400: 20 };
    const ran: number[] = [];
    const result = await runSweep({ startRate: 100, stepRate: 100, maxRate: 1_000 }, target, async (rate) => {
      ran.push(rate);
      return step(rate, p99ByRate[rate] ?? 1);
    });
    expect(ran).toEqual([100, 200, 300]);
    expect(result.highestPassingRate).toBe(200);
    expect(result.stoppedBecause).toMatch(/^300\/s missed the target: p99 150.0 ms/);
  });

  it("has no passing rate when the first step misses", async () => {
    const result = await runSweep({ startRate: 50, stepRate: 50, maxRate: 200 }, target, async (rate) => step(rate, 500));
    expect(result.highestPassingRate).toBeUndefined();
    expect(result.steps).toHaveLength(1);
  });

  it("ends at the plan's maximum when every step holds", async () => {
    const result = await runSweep({ startRate: 50, stepRate: 50, maxRate: 150 }, target, async (rate) => step(rate, 1));
    expect(result.highestPassingRate).toBe(150);
    expect(result.stoppedBecause).toMatch(/reached --max-rate 150/);
  });

  it("stops when asked, keeping what held so far", async () => {
    let calls = 0;
    const result = await runSweep({ startRate: 10, stepRate: 10, maxRate: 100 }, target, async (rate) => (calls++, step(rate, 1)), () => calls >= 2);
    expect(result.steps).toHaveLength(2);
    expect(result.highestPassingRate).toBe(20);
    expect(result.stoppedBecause).toBe("interrupted");
  });
});

describe("sweepRates", () => {
  it("lists start to max inclusive", () => {
    expect(sweepRates({ startRate: 100, stepRate: 150, maxRate: 400 })).toEqual([100, 250, 400]);
  });
});
