import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_BACKOFF, restartDelayMs } from "./backoff.js";

describe("restartDelayMs", () => {
  it("doubles from the initial delay and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => restartDelayMs(attempt))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it("treats attempt 0 like the first", () => {
    expect(restartDelayMs(0, DEFAULT_RESTART_BACKOFF)).toBe(250);
  });
});
