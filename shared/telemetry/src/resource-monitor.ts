import { Gauge, type Registry } from "prom-client";
import type { Logger } from "./logger.js";

/** What the monitor reads: CPU time used so far (user + system, seconds) and resident memory. */
export interface ResourceSample {
  cpuSeconds: number;
  rssBytes: number;
}

export interface ResourceLimits {
  /** Warn when the process uses more than this share of one core over a window (e.g. 0.6). */
  cpuRatio: number;
  /** Warn when the resident memory is over this share of `memoryLimitBytes` (e.g. 0.8). */
  memoryRatio: number;
  /** The memory the process may use (e.g. its container limit). */
  memoryLimitBytes: number;
}

export interface ResourceMonitorOptions {
  registry: Registry;
  log: Pick<Logger, "warn" | "info">;
  limits: ResourceLimits;
  /** While a resource stays over its threshold, repeat the warning at most this often. */
  warnIntervalMs: number;
  /** Defaults to this process' `process.cpuUsage()` and `process.memoryUsage.rss()`. */
  sample?: () => ResourceSample;
  /** Milliseconds, monotonic; defaults to `performance.now()`. */
  now?: () => number;
}

export interface ResourceStatus {
  /** Share of one core used since the previous check (1 = one core busy; can exceed 1). */
  cpuRatio: number;
  rssBytes: number;
  cpuOver: boolean;
  memoryOver: boolean;
}

export interface ResourceMonitor {
  /** Samples once, updates the gauge and logs what changed; the timer of `start` calls this. */
  check(): ResourceStatus;
  /** Checks every `intervalMs` (the CPU window) until the returned function is called. */
  start(intervalMs: number): () => void;
}

export const defaultResourceSample = (): ResourceSample => {
  const cpu = process.cpuUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss() };
};

/**
 * The process watching its own CPU and memory: `kbalign_process_cpu_ratio` (the resident memory is
 * prom-client's `process_resident_memory_bytes`), a warning line when over a threshold (again at
 * most once per `warnIntervalMs` while it stays over) and an info line once back under.
 */
export function createResourceMonitor(options: ResourceMonitorOptions): ResourceMonitor {
  const { log, limits } = options;
  const sample = options.sample ?? defaultResourceSample;
  const now = options.now ?? (() => performance.now());
  const cpuGauge = new Gauge({
    name: "kbalign_process_cpu_ratio",
    help: "Share of one CPU core the process used over the last resource-monitor window (1 = a whole core).",
    registers: [options.registry],
  });
  const memoryThresholdBytes = limits.memoryRatio * limits.memoryLimitBytes;
  let previous = { at: now(), ...sample() };
  const warnedAt: { cpu?: number; memory?: number } = {};

  const track = (resource: "cpu" | "memory", over: boolean, at: number, fields: Record<string, unknown>): void => {
    const last = warnedAt[resource];
    if (over) {
      if (last === undefined || at - last >= options.warnIntervalMs) {
        warnedAt[resource] = at;
        log.warn(fields, resource === "cpu" ? "cpu usage over its threshold" : "memory usage over its threshold");
      }
    } else if (last !== undefined) {
      delete warnedAt[resource];
      log.info(fields, resource === "cpu" ? "cpu usage back under its threshold" : "memory usage back under its threshold");
    }
  };

  const check = (): ResourceStatus => {
    const at = now();
    const current = sample();
    const windowSeconds = (at - previous.at) / 1_000;
    const cpuRatio = windowSeconds > 0 ? Math.max(0, current.cpuSeconds - previous.cpuSeconds) / windowSeconds : 0;
    previous = { at, ...current };
    cpuGauge.set(cpuRatio);
    const cpuOver = cpuRatio > limits.cpuRatio;
    const memoryOver = current.rssBytes > memoryThresholdBytes;
    track("cpu", cpuOver, at, { cpuRatio: round(cpuRatio), threshold: limits.cpuRatio, windowSeconds: round(windowSeconds) });
    track("memory", memoryOver, at, {
      rssBytes: current.rssBytes,
      thresholdBytes: Math.round(memoryThresholdBytes),
      limitBytes: limits.memoryLimitBytes,
      threshold: limits.memoryRatio,
    });
    return { cpuRatio, rssBytes: current.rssBytes, cpuOver, memoryOver };
  };

  return {
    check,
    start(intervalMs) {
      const timer = setInterval(check, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

const round = (n: number): number => Math.round(n * 1_000) / 1_000;
