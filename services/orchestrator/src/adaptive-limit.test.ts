import { describe, expect, it } from "vitest";
import { createAdaptiveLimit, type AdaptiveLimitOptions } from "./adaptive-limit.js";

/** The tests' limit: target 50 ms, from 40 between 4 and 100, windows of a second, on the given clock. */
function settings(now: () => number, overrides: Partial<AdaptiveLimitOptions> = {}): AdaptiveLimitOptions {
  return { targetMs: 50, initial: 40, min: 4, max: 100, windowMs: 1_000, now, ...overrides };
}

/** Answers per window of a second. */
const ANSWERS = 20;

/** Releases and replaces `n` queries in flight: answers at that rate, the number in flight unchanged. */
function answer(limit: ReturnType<typeof createAdaptiveLimit>, inFlight: number, n = ANSWERS): void {
  for (let i = 0; i < n; i++) {
    limit.arrival();
    limit.inFlight(inFlight - 1);
    limit.inFlight(inFlight);
  }
}

/**
 * One window of a second: `inFlight` held for its length (each of ANSWERS answers released and
 * replaced at once), `offered` times as many arrivals as answers (2: an overload refusing half, 1: below the
 * capacity), every answer waiting `ms` for its first data.
 */
function limiter() {
  let clock = 0;
  const limit = createAdaptiveLimit(settings(() => clock));
  const windowOf = (ms: number, inFlight: number, offered = 2) => {
    limit.inFlight(inFlight);
    for (let i = 0; i < ANSWERS; i++) {
      limit.inFlight(inFlight - 1);
      limit.inFlight(inFlight);
    }
    clock += 1_000;
    for (let i = 0; i < ANSWERS * offered; i++) limit.arrival();
    // The tenth answer ends the window.
    for (let i = 0; i < 10; i++) limit.sample(ms);
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
    for (let i = 0; i < 5; i++) windowOf(400, 3, 1);
    expect(limit.limit()).toBe(40);
    // Warm (an unloaded window at 10 ms), the same wait with the limit full and refusing is queueing.
    windowOf(10, 3, 1);
    windowOf(400, 40);
    expect(limit.limit()).toBe(20);
  });

  it("holds a backend slower than the target to twice its unloaded wait, not to the target", () => {
    const { limit, windowOf } = limiter();
    // An LLM whose first token takes 600 ms, seen first at low concurrency (the limit far from binding)...
    windowOf(600, 5, 1);
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

  it("grows, not shrinks, when bursts reach a limit that is mostly unused: below the capacity refusing would not shorten the wait", () => {
    let clock = 0;
    const limit = createAdaptiveLimit(settings(() => clock));
    // 80 ms at p90, past the target; 10 in flight for 900 ms of the window and 38 for 100 ms: 12.8 on average.
    limit.inFlight(10);
    answer(limit, 10);
    clock = 500;
    for (let i = 0; i < 19; i++) limit.sample(80);
    clock = 900;
    limit.inFlight(38);
    clock = 1_000;
    limit.inFlight(10);
    limit.sample(80);
    expect(limit.limit()).toBe(44);
    // The same wait with the limit held full for the whole window, refusing arrivals, is an overload: it shrinks.
    limit.inFlight(44);
    answer(limit, 44);
    for (let i = 0; i < 200; i++) limit.arrival();
    for (let i = 0; i < 19; i++) limit.sample(80);
    clock = 2_000;
    limit.sample(80);
    expect(limit.limit()).toBe(27);
  });

  it("does not spiral down below the capacity: a limit in use and slow but refusing next to nothing grows, as the wait is the machine's pace", () => {
    const { limit, windowOf } = limiter();
    // 21 arrivals for 20 answers: one refusal in the window, under a tenth.
    windowOf(80, 40, 1.05);
    expect(limit.limit()).toBe(44);
    // Refusing half (an overload), the same wait shrinks it.
    windowOf(80, 44, 2);
    expect(limit.limit()).toBe(27);
  });

  it("meets a surge before the limit is reached: arrivals outpacing releases shrink it from the peak in flight", () => {
    let clock = 0;
    const limit = createAdaptiveLimit(settings(() => clock, { initial: 64 }));
    // Twice as many arrivals as releases, in flight climbing to 28 of 64 (not full), the wait at 150 ms:
    // halved from the peak of 28, not from 64.
    let n = 0;
    for (let i = 0; i < 54; i++) {
      limit.arrival();
      limit.inFlight(++n);
      if (i % 2 === 1) limit.inFlight(--n);
    }
    // Met at once: the tenth answer past the threshold ends the window early, within the same millisecond here.
    for (let i = 0; i < 9; i++) limit.sample(150);
    expect(limit.limit()).toBe(64);
    limit.sample(150);
    expect(limit.limit()).toBe(14);
    // A few slow answers among many quick ones at a surge (a spike) wait for the whole window.
    const spike = createAdaptiveLimit(settings(() => clock, { initial: 64 }));
    for (let i = 0; i < 60; i++) spike.arrival();
    spike.inFlight(20);
    for (let i = 0; i < 30; i++) spike.sample(10);
    for (let i = 0; i < 12; i++) spike.sample(150);
    expect(spike.limit()).toBe(64);
    // At 27 in flight (a window to climb there, its answers quick), as many arrivals as releases is
    // the pace of arrivals, not a surge: the same wait changes nothing.
    const steady = createAdaptiveLimit(settings(() => clock, { initial: 64 }));
    for (let i = 0; i < 27; i++) {
      steady.arrival();
      steady.inFlight(i + 1);
    }
    answer(steady, 27);
    for (let i = 0; i < 9; i++) steady.sample(10);
    clock = 1_000;
    steady.sample(10);
    expect(steady.limit()).toBe(64);
    answer(steady, 27);
    for (let i = 0; i < 19; i++) steady.sample(150);
    clock = 2_000;
    steady.sample(150);
    expect(steady.limit()).toBe(64);
  });

  it("takes a pause at a low rate for a pause, not a surge: fewer than 40 arrivals in a window never shrink it", () => {
    const { limit, windowOf } = limiter();
    // 30 arrivals for 20 answers, all slow: a backend's process stalled, at 30 queries a second.
    windowOf(400, 12, 3 / 2);
    expect(limit.limit()).toBe(40);
  });

  it("decreases once per overshoot: answers to queries admitted before a decrease do not shrink it again", () => {
    const { limit, windowOf } = limiter();
    windowOf(400, 40);
    expect(limit.limit()).toBe(20);
    // A second later, answers that waited 1.5 s were admitted before the decrease: not counted.
    windowOf(1_500, 20);
    expect(limit.limit()).toBe(20);
    // Answers admitted since, as slow, are.
    windowOf(400, 20);
    expect(limit.limit()).toBe(10);
  });

  it("does not grow while queries pile up in flight: an onset's first answers are quick only because they came before the queue", () => {
    let clock = 0;
    const limit = createAdaptiveLimit(settings(() => clock));
    // A second at 1,000 answers/s with 5 in flight, then 35 queries admitted and none answered yet.
    limit.inFlight(5);
    answer(limit, 5);
    clock = 1_000;
    for (let i = 0; i < 10; i++) limit.sample(10);
    expect(limit.limit()).toBe(40);
    for (let i = 6; i <= 40; i++) {
      limit.arrival();
      limit.inFlight(i);
    }
    clock = 2_000;
    for (let i = 0; i < 10; i++) limit.sample(10);
    expect(limit.limit()).toBe(40);
  });

  it("stays put when under the target but far from used: idle capacity proves nothing", () => {
    const { limit, windowOf } = limiter();
    windowOf(10, 5);
    expect(limit.limit()).toBe(40);
  });

  it("does not trust a limit it does not use: each window under half of it brings it halfway down to twice the peak, not under the initial limit", () => {
    const { limit, windowOf } = limiter();
    for (const grown of [44, 49, 54, 60]) {
      windowOf(10, limit.limit());
      expect(limit.limit()).toBe(grown);
    }
    // The load gone: the window it left in still saw 60 in flight, the next ones 20 at most, then 5.
    windowOf(10, 20, 1);
    expect(limit.limit()).toBe(66);
    windowOf(10, 20, 1);
    expect(limit.limit()).toBe(53);
    windowOf(10, 5, 1);
    expect(limit.limit()).toBe(47);
    // Not under the initial limit.
    windowOf(10, 5, 1);
    expect(limit.limit()).toBe(40);
    windowOf(10, 5, 1);
    expect(limit.limit()).toBe(40);
  });

  it("restarts from the initial limit after a pause in arrivals (four windows), as TCP after idle", () => {
    const clock = { at: 0 };
    const paused = createAdaptiveLimit(settings(() => clock.at));
    paused.inFlight(40);
    answer(paused, 40);
    clock.at = 1_000;
    for (let i = 0; i < 10; i++) paused.sample(10);
    expect(paused.limit()).toBe(44);
    // An arrival at least every 3.9 s keeps it.
    paused.arrival();
    clock.at = 4_900;
    paused.arrival();
    expect(paused.limit()).toBe(44);
    clock.at = 8_900;
    paused.arrival();
    expect(paused.limit()).toBe(40);
  });

  it("waits for a whole window and enough samples before it moves", () => {
    let clock = 0;
    const limit = createAdaptiveLimit(settings(() => clock, { minSamples: 10 }));
    limit.inFlight(40);
    answer(limit, 40);
    for (let i = 0; i < 50; i++) limit.sample(10);
    expect(limit.limit()).toBe(40);
    clock = 1_000;
    limit.sample(10);
    expect(limit.limit()).toBe(44);
    clock = 2_000;
    limit.sample(10);
    expect(limit.limit()).toBe(44);
  });
});
