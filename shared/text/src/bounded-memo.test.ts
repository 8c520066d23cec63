import { describe, expect, it } from "vitest";
import { BoundedMemo } from "./bounded-memo.js";

const bytesOf = (_key: string, value: string) => value.length;

describe("BoundedMemo", () => {
  it("gives back what was remembered", () => {
    const memo = new BoundedMemo<string>(100, bytesOf);
    memo.set("a", "alpha");
    expect(memo.get("a")).toBe("alpha");
    expect(memo.get("b")).toBeUndefined();
  });

  it("never holds more than its byte budget", () => {
    const memo = new BoundedMemo<string>(40, bytesOf);
    for (let i = 0; i < 1_000; i++) memo.set(`k${i}`, "0123456789");
    // 10 bytes each, two generations of at most 20 bytes.
    expect(memo.size).toBeLessThanOrEqual(4);
    expect(memo.get("k999")).toBe("0123456789");
    expect(memo.get("k0")).toBeUndefined();
  });

  it("keeps an entry that is used while newer ones arrive, and drops one that is not", () => {
    const memo = new BoundedMemo<string>(40, bytesOf);
    memo.set("kept", "0123456789");
    memo.set("dropped", "0123456789");
    for (let i = 0; i < 20; i++) {
      memo.set(`new${i}`, "0123456789");
      expect(memo.get("kept")).toBe("0123456789");
    }
    expect(memo.get("dropped")).toBeUndefined();
  });

  it("does not keep an entry larger than half the budget", () => {
    const memo = new BoundedMemo<string>(40, bytesOf);
    memo.set("big", "x".repeat(21));
    expect(memo.get("big")).toBeUndefined();
    memo.set("small", "x".repeat(20));
    expect(memo.get("small")).toBe("x".repeat(20));
  });

  it("refuses a budget that is not a positive number", () => {
    expect(() => new BoundedMemo<string>(0, bytesOf)).toThrow(/maxBytes/);
    expect(() => new BoundedMemo<string>(Number.NaN, bytesOf)).toThrow(/maxBytes/);
  });
});
