import { describe, expect, it } from "vitest";
import { createAdaptiveLimit } from "./adaptive-limit.js";

function limiter() {
  let clock = 0;
  const limit = createAdaptiveLimit({ targetMs: 50, initial: 40, min: 4, max: 100, windowMs: 1_000, now: () => clock });
  const windowOf = (ms: number, inFlight: number) => {
    limit.inFlight(inFlight);
    for (let i = 0; i < 19; i++) limit.sample(ms);
    clock += 1_000;
    limit.sample(ms);
  };
  return { limit, windowOf };
}

describe("createAdaptiveLimit", () => {
  it("shrinks by a fifth for each window whose p90 is past the target, down to the minimum", () => {
    const { limit, windowOf } = limiter();
    windowOf(80, 40);
    expect(limit.limit()).toBe(32);
    windowOf(80, 32);
    expect(limit.limit()).toBe(25);
    for (let i = 0; i < 20; i++) windowOf(500, 4);
    expect(limit.limit()).toBe(4);
  });

  it("grows by a tenth when under the target and nearly used up, up to the maximum", () => {
    const { limit, windowOf } = limiter();
    windowOf(10, 35);
    expect(limit.limit()).toBe(44);
    for (let i = 0; i < 30; i++) windowOf(10, limit.limit());
    expect(limit.limit()).toBe(100);
  });

  it("stays put when under the target but far from used: idle capacity proves nothing", () => {
    const { limit, windowOf } = limiter();
    windowOf(10, 5);
    expect(limit.limit()).toBe(40);
  });

  it("waits for a whole window and enough samples before it moves", () => {
    let clock = 0;
    const limit = createAdaptiveLimit({ targetMs: 50, initial: 40, min: 4, max: 100, windowMs: 1_000, minSamples: 10, now: () => clock });
    for (let i = 0; i < 50; i++) limit.sample(500);
    expect(limit.limit()).toBe(40);
    clock = 1_000;
    limit.sample(500);
    expect(limit.limit()).toBe(32);
    clock = 2_000;
    limit.sample(500);
    expect(limit.limit()).toBe(32);
  });
});
