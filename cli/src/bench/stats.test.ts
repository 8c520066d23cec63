import { describe, expect, it } from "vitest";
import { median, percentile, summarize } from "./stats.js";

describe("percentile (nearest rank)", () => {
  // 1..10: rank ⌈p/100·10⌉
  const tens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it.each([
    [0, 1],
    [10, 1],
    [11, 2],
    [50, 5],
    [90, 9],
    [95, 10],
    [99, 10],
    [100, 10],
  ])("p%d of 1..10 is %d", (p, expected) => {
    expect(percentile(tens, p)).toBe(expected);
  });

  it("takes a value that occurred, never an interpolation", () => {
    // 4 values: p50 → rank 2, p75 → rank 3, p76 → rank 4
    const values = [10, 20, 30, 40];
    expect(percentile(values, 50)).toBe(20);
    expect(percentile(values, 75)).toBe(30);
    expect(percentile(values, 76)).toBe(40);
  });

  it("of one value is that value at every rank", () => {
    expect([0, 50, 99, 100].map((p) => percentile([7.5], p))).toEqual([7.5, 7.5, 7.5, 7.5]);
  });

  it("refuses no values and an out-of-range p", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("summarize / median", () => {
  it("sorts its input (without changing it) and computes every field", () => {
    // 20 values 100, 95, …, 5 (unsorted on purpose); sorted: 5, 10, …, 100
    const values = Array.from({ length: 20 }, (_, i) => 100 - 5 * i);
    const copy = [...values];
    expect(summarize(values)).toEqual({
      count: 20,
      min: 5,
      p50: 50, // rank 10
      p90: 90, // rank 18
      p95: 95, // rank 19
      p99: 100, // rank ⌈19.8⌉ = 20
      max: 100,
      mean: 52.5,
    });
    expect(values).toEqual(copy);
  });

  it("sorts numerically, not as strings", () => {
    expect(summarize([9, 10, 100, 2])).toMatchObject({ min: 2, p50: 9, max: 100 });
  });

  it("has nothing to say about no values", () => {
    expect(summarize([])).toBeUndefined();
  });

  it("median is the lower middle of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([3, 1, 2])).toBe(2);
  });
});
