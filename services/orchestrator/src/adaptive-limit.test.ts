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
  it("shrinks in proportion to the overshoot for each window whose p90 is past the target while the limit binds, down to the minimum", () => {
    const { limit, windowOf } = limiter();
    // 50/80: by three eighths.
    windowOf(80, 40);
    expect(limit.limit()).toBe(25);
    // Just past the target: by a tenth at least.
    windowOf(52, 25);
    expect(limit.limit()).toBe(22);
    // Far past it: by half at most.
    windowOf(500, 22);
    expect(limit.limit()).toBe(11);
    for (let i = 0; i < 20; i++) windowOf(500, limit.limit());
    expect(limit.limit()).toBe(4);
  });

  it("does not shrink for a slow wait at a concurrency far under the limit (a cold start is not queueing)", () => {
    const { limit, windowOf } = limiter();
    for (let i = 0; i < 5; i++) windowOf(400, 3);
    expect(limit.limit()).toBe(40);
    // Warm (an unloaded window at 10 ms), the same wait at half the limit in flight is queueing.
    windowOf(10, 3);
    windowOf(400, 20);
    expect(limit.limit()).toBe(20);
  });

  it("holds a backend slower than the target to twice its unloaded wait, not to the target", () => {
    const { limit, windowOf } = limiter();
    // An LLM whose first token takes 600 ms, seen first at low concurrency (the limit far from binding)...
    windowOf(600, 5);
    // ...then loaded: 600 ms is its own pace, not queueing, so the limit grows instead of shrinking to the minimum.
    for (let i = 0; i < 3; i++) windowOf(600, limit.limit());
    expect(limit.limit()).toBe(54);
    // Queueing behind it (the wait past twice the unloaded one) does shrink it.
    windowOf(1_500, 54);
    expect(limit.limit()).toBe(43);
  });

  it("learns the unloaded wait only while the limit does not bind, so overload cannot raise it", () => {
    const { limit, windowOf } = limiter();
    // Started under overload: no unloaded window yet, so the threshold is the target and the limit shrinks.
    windowOf(400, 40);
    windowOf(400, 20);
    expect(limit.limit()).toBe(10);
    // However long the overload lasts, its waits never become the baseline.
    for (let i = 0; i < 10; i++) windowOf(400, limit.limit());
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
    limit.inFlight(40);
    for (let i = 0; i < 50; i++) limit.sample(500);
    expect(limit.limit()).toBe(40);
    clock = 1_000;
    limit.sample(500);
    expect(limit.limit()).toBe(20);
    clock = 2_000;
    limit.sample(500);
    expect(limit.limit()).toBe(20);
  });
});
