import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { createResourceMonitor, type ResourceSample } from "./resource-monitor.js";

describe("resource monitor", () => {
  const GiB = 1024 ** 3;
  function setup() {
    const registry = new Registry();
    const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
    const log = {
      warn: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: "warn", fields, msg }),
      info: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: "info", fields, msg }),
    };
    let at = 0;
    let current: ResourceSample = { cpuSeconds: 0, rssBytes: 100e6 };
    const monitor = createResourceMonitor({
      registry,
      log: log as never,
      limits: { cpuRatio: 0.6, memoryRatio: 0.8, memoryLimitBytes: GiB },
      warnIntervalMs: 60_000,
      sample: () => current,
      now: () => at,
    });
    // Advances the clock by `ms` during which the process used `cpuSeconds` of CPU, then checks.
    const step = (ms: number, cpuSeconds: number, rssBytes = current.rssBytes) => {
      at += ms;
      current = { cpuSeconds: current.cpuSeconds + cpuSeconds, rssBytes };
      return monitor.check();
    };
    return { registry, lines, step };
  }

  it("exports the CPU share of a core over each window", async () => {
    const { registry, step } = setup();
    expect(step(10_000, 2.5).cpuRatio).toBeCloseTo(0.25);
    expect(await registry.metrics()).toContain("kbalign_process_cpu_ratio 0.25");
  });

  it("warns when CPU is over its threshold, at most once per interval while over, and says when it is back under", () => {
    const { lines, step } = setup();
    step(10_000, 3); // 0.3 of a core
    expect(lines).toEqual([]);
    expect(step(10_000, 7).cpuOver).toBe(true); // 0.7
    expect(lines).toEqual([{ level: "warn", fields: { cpuRatio: 0.7, threshold: 0.6, windowSeconds: 10 }, msg: "cpu usage over its threshold" }]);
    for (let i = 0; i < 5; i++) step(10_000, 9); // 50 s more over: within the interval, quiet
    expect(lines).toHaveLength(1);
    step(10_000, 9); // 60 s after the first warning: again
    expect(lines).toHaveLength(2);
    step(10_000, 1);
    expect(lines[2]).toEqual({ level: "info", fields: { cpuRatio: 0.1, threshold: 0.6, windowSeconds: 10 }, msg: "cpu usage back under its threshold" });
    step(10_000, 1);
    expect(lines).toHaveLength(3);
  });

  it("warns when the resident memory is over its share of the limit", () => {
    const { lines, step } = setup();
    step(10_000, 0, 0.79 * GiB);
    expect(lines).toEqual([]);
    expect(step(10_000, 0, 0.9 * GiB).memoryOver).toBe(true);
    expect(lines).toEqual([
      {
        level: "warn",
        fields: { rssBytes: 0.9 * GiB, thresholdBytes: Math.round(0.8 * GiB), limitBytes: GiB, threshold: 0.8 },
        msg: "memory usage over its threshold",
      },
    ]);
    step(10_000, 0, 0.5 * GiB);
    expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual(["warn memory usage over its threshold", "info memory usage back under its threshold"]);
  });
});

