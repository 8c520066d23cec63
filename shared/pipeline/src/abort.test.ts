import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { abortable, deadlineSignal, linkedController, sleep } from "./abort.js";

describe("abortable", () => {
  it("settles like the promise when the signal stays quiet", async () => {
    await expect(abortable(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
  });

  it("rejects with the reason when the signal aborts first, even if the promise never settles", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("gone")), 5);
    await expect(abortable(new Promise(() => undefined), controller.signal)).rejects.toThrow("gone");
  });

  it("rejects at once on an aborted signal without leaving the promise's rejection unhandled", async () => {
    const controller = new AbortController();
    controller.abort(new Error("already"));
    await expect(abortable(Promise.reject(new Error("late")), controller.signal)).rejects.toThrow(/already|late/);
  });
});

describe("abortable, many waits on one signal", () => {
  it("holds one listener on the signal however many wait, and rejects every pending wait on abort", async () => {
    const controller = new AbortController();
    const pending = Array.from({ length: 50 }, () => abortable(new Promise(() => undefined), controller.signal));
    const settled = await Promise.all(Array.from({ length: 50 }, (_, i) => abortable(Promise.resolve(i), controller.signal)));
    expect(settled[49]).toBe(49);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort(new Error("all of them"));
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.every((o) => o.status === "rejected" && (o.reason as Error).message === "all of them")).toBe(true);
  });

  it("keeps the outcome of a wait that settled before the abort, and of a rejection", async () => {
    const controller = new AbortController();
    const done = abortable(Promise.resolve("kept"), controller.signal);
    const failed = abortable(Promise.reject(new Error("own")), controller.signal);
    await expect(done).resolves.toBe("kept");
    await expect(failed).rejects.toThrow("own");
    controller.abort(new Error("later"));
    await expect(abortable(new Promise(() => undefined), controller.signal)).rejects.toThrow("later");
  });
});

describe("sleep", () => {
  it("waits, or rejects when aborted", async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("wake")), 5);
    await expect(sleep(10_000, controller.signal)).rejects.toThrow("wake");
  });
});

describe("deadlineSignal / linkedController", () => {
  it("aborts at the deadline with the timeout reason", async () => {
    const d = deadlineSignal(undefined, Date.now() + 10, () => new Error("late"));
    await expect(sleep(5_000, d.signal)).rejects.toThrow("late");
  });

  it("aborts with the parent's reason", () => {
    const parent = new AbortController();
    const d = deadlineSignal(parent.signal, Date.now() + 10_000, () => new Error("late"));
    const l = linkedController(parent.signal);
    parent.abort(new Error("parent"));
    expect((d.signal.reason as Error).message).toBe("parent");
    expect((l.signal.reason as Error).message).toBe("parent");
    d.dispose();
  });

  it("lets go of its parent however it ends: timeout, parent, its own abort, dispose", async () => {
    const parent = new AbortController();
    const listeners = () => getEventListeners(parent.signal, "abort").length;
    const timedOut = deadlineSignal(parent.signal, Date.now() + 5, () => new Error("late"));
    const aborted = deadlineSignal(parent.signal, Date.now() + 10_000, () => new Error("late"));
    const disposed = deadlineSignal(parent.signal, Date.now() + 10_000, () => new Error("late"));
    expect(listeners()).toBe(3);
    aborted.abort(new Error("own"));
    aborted.abort(new Error("twice"));
    expect((aborted.signal.reason as Error).message).toBe("own");
    disposed.dispose();
    expect(listeners()).toBe(1);
    await expect(sleep(5_000, timedOut.signal)).rejects.toThrow("late");
    expect(listeners()).toBe(0);
    expect(disposed.signal.aborted).toBe(false);
  });

  it("stays quiet once disposed", async () => {
    const parent = new AbortController();
    const l = linkedController(parent.signal);
    l.dispose();
    parent.abort(new Error("parent"));
    expect(l.signal.aborted).toBe(false);
  });
});
