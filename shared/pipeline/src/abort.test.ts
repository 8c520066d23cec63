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

  it("stays quiet once disposed", async () => {
    const parent = new AbortController();
    const l = linkedController(parent.signal);
    l.dispose();
    parent.abort(new Error("parent"));
    expect(l.signal.aborted).toBe(false);
  });
});
