import { describe, expect, it } from "vitest";
import type { RequestSample } from "./measure-request.js";
import { summarizeSamples } from "./summary.js";

let next = 0;
const sample = (fields: Partial<RequestSample>): RequestSample => ({
  index: next,
  questionId: "q",
  requestId: `r${next++}`,
  sentAtMs: 0,
  endMs: 10,
  outcome: "done",
  events: 6,
  dataEvents: 2,
  contractProblems: 0,
  ...fields,
});

describe("summarizeSamples", () => {
  const samples = [
    sample({ firstEventMs: 1, firstDataMs: 4, endMs: 10, timingsMs: { recall: 1, final_answer: 5, total: 9 }, degraded: [] }),
    sample({ firstEventMs: 3, firstDataMs: 6, endMs: 30, timingsMs: { recall: 3, total: 27 }, degraded: ["query_expansion_recall:TIMEOUT"] }),
    sample({ firstEventMs: 2, firstDataMs: 5, endMs: 20, timingsMs: { recall: 2, final_answer: 7, total: 18 }, degraded: ["final_answer:GENERATION_FAILED", "query_expansion_recall:TIMEOUT"] }),
    sample({ outcome: "error", code: "OVERLOADED", firstEventMs: 0.5, endMs: 0.5, events: 1, dataEvents: 0 }),
    sample({ outcome: "failed", code: "UNAVAILABLE", endMs: 0.4, events: 0, dataEvents: 0 }),
    sample({ outcome: "failed", code: "CLIENT_TIMEOUT", firstEventMs: 2, endMs: 2_100, events: 1, dataEvents: 0, contractProblems: 1 }),
    sample({ outcome: "abandoned", code: "ABANDONED", endMs: 50, events: 0, dataEvents: 0 }),
  ];
  const summary = summarizeSamples(samples, 4_000);

  it("counts outcomes; abandoned requests are left out of every figure", () => {
    expect(summary).toMatchObject({ requests: 6, ok: 3, errors: 3, errorRate: 0.5, answered: 5, abandoned: 1, wallSeconds: 4, contractProblems: 1 });
    expect(summary.throughputRps).toBe(1.5);
    expect(summary.okThroughputRps).toBe(0.75);
  });

  it("groups errors by code and by who reported them", () => {
    expect(summary.errorsByCode).toEqual([
      { code: "CLIENT_TIMEOUT", where: "client", count: 1 },
      { code: "UNAVAILABLE", where: "client", count: 1 },
      { code: "OVERLOADED", where: "server", count: 1 },
    ]);
  });

  it("summarizes each latency over the requests that have it", () => {
    expect(summary.latencyMs.firstEvent).toMatchObject({ count: 5, min: 0.5, p50: 2, max: 3 });
    expect(summary.latencyMs.firstData).toMatchObject({ count: 3, min: 4, p50: 5, max: 6, mean: 5 });
    expect(summary.latencyMs.done).toMatchObject({ count: 3, min: 10, p50: 20, p99: 30, mean: 20 });
    expect(summary.latencyMs.error).toMatchObject({ count: 3, min: 0.4, p50: 0.5, max: 2_100 });
  });

  it("takes server stage medians over the done requests that report each stage", () => {
    expect(summary.serverMedianMs).toEqual([
      { stage: "recall", medianMs: 2, count: 3 },
      { stage: "final_answer", medianMs: 5, count: 2 },
      { stage: "total", medianMs: 18, count: 3 },
    ]);
  });

  it("counts degraded requests once each, and their reasons", () => {
    expect(summary.degraded).toEqual({
      requests: 2,
      byReason: [
        { reason: "query_expansion_recall:TIMEOUT", count: 2 },
        { reason: "final_answer:GENERATION_FAILED", count: 1 },
      ],
    });
  });

  it("reports zeros, not NaN, for an empty run", () => {
    expect(summarizeSamples([], 0)).toMatchObject({ requests: 0, errorRate: 0, throughputRps: 0, latencyMs: { firstEvent: undefined }, serverMedianMs: [] });
  });
});
