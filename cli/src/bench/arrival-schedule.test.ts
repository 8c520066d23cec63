import { describe, expect, it } from "vitest";
import { arrivalOffsetMs, plannedArrivals, runArrivalSchedule, type Arrival } from "./arrival-schedule.js";

/** A clock that moves only when the schedule sleeps (or when a test moves it). */
function fakeClock() {
  let t = 1_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe("runArrivalSchedule", () => {
  it("dispatches rate × duration arrivals at a constant spacing from the start", async () => {
    const clock = fakeClock();
    const arrivals: Arrival[] = [];
    const result = await runArrivalSchedule({ ratePerSecond: 100, durationMs: 1_000, dispatch: (a) => arrivals.push(a), now: clock.now, sleep: clock.sleep });
    expect(result.planned).toBe(100);
    expect(result.dispatched).toBe(100);
    expect(arrivals.map((a) => a.index)).toEqual([...Array(100).keys()]);
    for (const [i, a] of arrivals.entries()) expect(a.scheduledAt).toBeCloseTo(1_000 + i * 10, 6);
  });

  it("never waits for a dispatched arrival: answers that never come do not slow the schedule", async () => {
    const clock = fakeClock();
    const pending: Array<Promise<void>> = [];
    const result = await runArrivalSchedule({
      ratePerSecond: 50,
      durationMs: 2_000,
      // An answer that never arrives.
      dispatch: () => void pending.push(new Promise<void>(() => {})),
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.dispatched).toBe(100);
    expect(pending).toHaveLength(100);
  });

  it("dispatches overdue arrivals at once with their original scheduled times after a stall", async () => {
    const clock = fakeClock();
    const arrivals: Array<Arrival & { dispatchedAt: number }> = [];
    await runArrivalSchedule({
      ratePerSecond: 10,
      durationMs: 1_000,
      dispatch: (a) => {
        arrivals.push({ ...a, dispatchedAt: clock.now() });
        // The third arrival blocks the process for 350 ms (a GC pause, a busy loop).
        if (a.index === 2) clock.advance(350);
      },
      now: clock.now,
      sleep: clock.sleep,
    });
    const late = arrivals.filter((a) => a.dispatchedAt > a.scheduledAt + 1);
    expect(late.map((a) => a.index)).toEqual([3, 4, 5]);
    expect(late.map((a) => a.scheduledAt)).toEqual([1_300, 1_400, 1_500]);
    expect(arrivals).toHaveLength(10);
  });

  it("reports the largest dispatch lag", async () => {
    const clock = fakeClock();
    const result = await runArrivalSchedule({
      ratePerSecond: 10,
      durationMs: 500,
      dispatch: (a) => (a.index === 1 ? clock.advance(230) : undefined),
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.maxDispatchLagMs).toBeCloseTo(130, 6);
  });

  it("stops scheduling when its signal aborts", async () => {
    const clock = fakeClock();
    const stop = new AbortController();
    const result = await runArrivalSchedule({
      ratePerSecond: 10,
      durationMs: 10_000,
      dispatch: (a) => (a.index === 4 ? stop.abort() : undefined),
      signal: stop.signal,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.dispatched).toBe(5);
    expect(result.planned).toBe(100);
  });

  it("refuses a rate that is not a positive number", async () => {
    await expect(runArrivalSchedule({ ratePerSecond: 0, durationMs: 1_000, dispatch: () => {} })).rejects.toThrow(/ratePerSecond must be a positive number/);
  });
});

describe("plannedArrivals / arrivalOffsetMs", () => {
  it("plans at least one arrival and spaces them 1/rate apart", () => {
    expect(plannedArrivals(0.5, 1_000)).toBe(1);
    expect(plannedArrivals(250, 4_000)).toBe(1_000);
    expect(arrivalOffsetMs(3, 200)).toBe(15);
  });
});
