import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

const policy = { baseDelayMs: 25, maxDelayMs: 500 };

describe("backoffDelay (full jitter)", () => {
  it("doubles the ceiling per attempt", () => {
    const almostOne = () => 0.999_999;
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, policy, almostOne))).toEqual([24, 49, 99, 199]);
  });

  it("caps the ceiling at maxDelayMs", () => {
    expect(backoffDelay(10, policy, () => 0.999_999)).toBe(499);
    expect(backoffDelay(60, policy, () => 0.999_999)).toBe(499);
  });

  it("spreads delays uniformly from zero", () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(100);
    const samples = Array.from({ length: 200 }, () => backoffDelay(4, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(400);
    expect(new Set(samples).size).toBeGreaterThan(20);
  });
});
