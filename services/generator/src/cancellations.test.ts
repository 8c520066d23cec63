import { describe, expect, it } from "vitest";
import { CancelledError, UnavailableError } from "@kbalign/contracts";
import { createCancellations } from "./cancellations.js";

describe("cancellations", () => {
  it("aborts the stream registered under an id with CancelledError, and only it", () => {
    const c = createCancellations();
    const a = c.register("a");
    const b = c.register("b");
    expect(c.cancel("a")).toBe(1);
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBeInstanceOf(CancelledError);
    expect(b.signal.aborted).toBe(false);
    expect(c.cancel("unknown")).toBe(0);
  });

  it("aborts every stream sharing an id", () => {
    const c = createCancellations();
    const first = c.register("same");
    const second = c.register("same");
    expect(c.cancel("same")).toBe(2);
    expect(first.signal.aborted && second.signal.aborted).toBe(true);
  });

  it("forgets released streams and resolves idle() when the last one ends", async () => {
    const c = createCancellations();
    const a = c.register("a");
    const b = c.register("b");
    let idle = false;
    const waiting = c.idle().then(() => {
      idle = true;
    });
    a.release();
    a.release();
    expect(c.size).toBe(1);
    await Promise.resolve();
    expect(idle).toBe(false);
    b.release();
    await waiting;
    expect(c.size).toBe(0);
    expect(c.cancel("a")).toBe(0);
  });

  it("cancelAll aborts everything with the given reason", () => {
    const c = createCancellations();
    const a = c.register("a");
    const b = c.register("b");
    const reason = new UnavailableError("shutting down");
    expect(c.cancelAll(reason)).toBe(2);
    expect(a.signal.reason).toBe(reason);
    expect(b.signal.reason).toBe(reason);
  });
});
