import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram.js";

describe("LatencyHistogram", () => {
  it("reads percentiles in ms within 0.1% of the exact nearest-rank value", () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.recordMs(ms / 10);
    const p = histogram.percentiles();
    expect(p?.count).toBe(10_000);
    expect(Math.abs((p?.p50 ?? 0) - 500) / 500).toBeLessThan(0.001);
    expect(Math.abs((p?.p99 ?? 0) - 990) / 990).toBeLessThan(0.001);
    expect(Math.abs((p?.p999 ?? 0) - 999) / 999).toBeLessThan(0.001);
    expect(Math.abs((p?.max ?? 0) - 1_000) / 1_000).toBeLessThan(0.001);
    expect(Math.abs((p?.mean ?? 0) - 500.05) / 500.05).toBeLessThan(0.001);
  });

  it("keeps sub-millisecond latencies apart", () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(0.25);
    histogram.recordMs(0.75);
    expect(histogram.atPercentileMs(50)).toBeCloseTo(0.25, 3);
    expect(histogram.percentiles()?.max).toBeCloseTo(0.75, 3);
  });

  it("shows one slow request at p99.9 and max but not at p99", () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 999; i++) histogram.recordMs(2);
    histogram.recordMs(800);
    const p = histogram.percentiles();
    expect(p?.p99).toBeCloseTo(2, 2);
    expect(p?.p999).toBeCloseTo(2, 2);
    expect(Math.abs((p?.max ?? 0) - 800) / 800).toBeLessThan(0.001);
  });

  it("never reports a percentile above the largest value recorded", () => {
    const histogram = new LatencyHistogram();
    for (const ms of [288.8, 289.01, 12, 13]) histogram.recordMs(ms);
    const p = histogram.percentiles();
    expect(p?.p999).toBeLessThanOrEqual(p?.max ?? 0);
    expect(p?.p99).toBeLessThanOrEqual(p?.max ?? 0);
  });

  it("reports nothing when nothing was recorded, and counts a negative latency as 0", () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentiles()).toBeUndefined();
    histogram.recordMs(-3);
    expect(histogram.percentiles()?.max).toBe(0);
  });

  it("encodes into HdrHistogram's compressed form that decodes to the same counts", () => {
    const histogram = new LatencyHistogram();
    for (const ms of [1, 2, 3, 40]) histogram.recordMs(ms);
    const decoded = hdr.decodeFromCompressedBase64(histogram.encode(), 32, false);
    expect(decoded.totalCount).toBe(4);
    expect(Math.abs(decoded.maxValue - 40_000) / 40_000).toBeLessThan(0.001);
  });
});
