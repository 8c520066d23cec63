import { describe, expect, it } from "vitest";
import { renderOpenLoopChart } from "./open-loop-chart.js";
import { buildOpenLoopReport, stepCost, type OpenLoopSetup } from "./open-loop-report.js";
import type { StepResult } from "./open-loop-step.js";
import { openLoopTables } from "./open-loop-tables.js";
import { CLIENT_PROCESS, NATS_SERVER_PROCESS } from "./resource-sampler.js";
import { renderMarkdown } from "./text-table.js";

const step = (rate: number, p99: number): StepResult => ({
  offeredRate: rate,
  durationSeconds: 10,
  sent: rate * 10,
  planned: rate * 10,
  completed: rate * 10,
  unfinished: 0,
  throughputRps: rate,
  ok: rate * 10 - 2,
  errors: 2,
  errorRate: 2 / (rate * 10),
  errorsByCode: { OVERLOADED: 2 },
  errorLatencyMs: { OVERLOADED: { count: 2, p50: 1.5, p90: 2, p99: 2.5, p999: 2.5, max: 2.5, mean: 1.8 } },
  answeredMs: { count: rate * 10 - 2, p50: 7, p90: 8, p99: 9, p999: 11, max: 12, mean: 7 },
  degradedRequests: 1,
  degradedByReason: { "first_answer:TIMEOUT": 1 },
  latencyMs: { terminal: { count: rate * 10, p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 1.5, max: p99 * 2, mean: p99 / 3 }, recall: { count: rate * 10, p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1 } },
  terminalHistogram: "",
  maxDispatchLagMs: 0,
  resources: [
    { process: CLIENT_PROCESS, cpuPercent: 10, rssMaxBytes: 100 * 2 ** 20, readings: 10 },
    { process: "kbalign-retriever", cpuPercent: 30, rssMaxBytes: 200 * 2 ** 20, readings: 10 },
    { process: "kbalign-orchestrator", cpuPercent: 40, rssMaxBytes: 150 * 2 ** 20, readings: 10 },
    { process: NATS_SERVER_PROCESS, cpuPercent: 10, rssMaxBytes: 20 * 2 ** 20, readings: 10 },
  ],
});

describe("stepCost", () => {
  it("over NATS adds up the services and nats-server, never the bench itself", () => {
    const cost = stepCost(step(100, 20), "nats", 2);
    expect(cost.serverCpuPercent).toBeCloseTo(80, 6);
    expect(cost.serverCpuMachinePercent).toBeCloseTo(40, 6);
    // 0.8 core at 100 queries/s = 8 ms of CPU per query.
    expect(cost.cpuMsPerQuery).toBeCloseTo(8, 6);
    expect(cost.serverRssBytes).toBe(370 * 2 ** 20);
  });

  it("in process counts the bench's own process alone: it is the server", () => {
    const cost = stepCost(step(100, 20), "in-process", 2, "p99 too high");
    expect(cost.serverCpuPercent).toBeCloseTo(10, 6);
    expect(cost.cpuMsPerQuery).toBeCloseTo(1, 6);
    expect(cost.missed).toBe("p99 too high");
  });
});

describe("the open-loop report", () => {
  const setup: OpenLoopSetup = {
    mode: "nats",
    collection: "scifact",
    questionsSource: "queries.jsonl",
    questionCount: 300,
    sweep: true,
    durationSeconds: 10,
    warmupSeconds: 1,
    timeoutMs: 2_000,
    target: { p99Ms: 100, maxErrorRate: 0.001 },
    nats: "nats://127.0.0.1:4222",
    metricsUrls: [],
  };
  const environment = { node: "v20", platform: "linux", arch: "x64", osRelease: "6", cpuModel: "cpu", cpuCount: 2, totalMemoryBytes: 2 ** 33, loadAverage: [1, 1, 1] };
  const report = buildOpenLoopReport(setup, environment, {
    startedAt: "2026-01-01T00:00:00.000Z",
    interrupted: false,
    steps: [step(100, 20), step(200, 150)],
    sweep: { steps: [], highestPassingRate: 100, stoppedBecause: "200/s missed the target" },
    warnings: [],
    missed: (s) => ((s.latencyMs.terminal?.p99 ?? 0) >= 100 ? "p99 over" : undefined),
  });

  it("has one row per rate with its percentiles, cost and verdict, and the errors and degradations by code", () => {
    const markdown = renderMarkdown(openLoopTables(report));
    expect(markdown).toContain("| 100 | 1000 | 100.0 | 2 (0.20%) | 5.00 | 10.0 | 20.0 | 30.0 | 40.0 | 40.0% | 8.00 | 370 | held |");
    expect(markdown).toContain("missed: p99 over");
    expect(markdown).toContain("highest rate holding the target: 100/s");
    // The answered apart from the refused, in the milestone table's last column.
    expect(markdown).toContain("done (answered only)");
    expect(markdown).toMatch(/\| 7\.00 \/ 9\.00 \/ 11\.0 \|/);
    // How soon each error reached the caller.
    expect(markdown).toContain("| 200 | OVERLOADED | 2 | 1.50 / 2.50 |");
    expect(markdown).toContain("| 100 | first_answer:TIMEOUT | 1 |");
  });

  it("charts latency percentiles, CPU and memory against the offered rate", () => {
    const svg = renderOpenLoopChart(report);
    expect(svg.match(/<g>/g)).toHaveLength(3);
    expect(svg).toContain(">100/s</text>");
    expect(svg).toContain(">200/s</text>");
    expect(svg).toContain("highest rate holding it: 100/s");
    for (const process of ["kbalign-retriever", "kbalign-orchestrator", NATS_SERVER_PROCESS]) expect(svg).toContain(process);
  });
});
