import { describe, expect, it } from "vitest";
import { ASCII_ONLY, asciiRuns } from "./ascii-runs.js";
import { tokenize } from "./tokenize.js";

// tokenize's pattern for the words of any text (tokenize.ts), the reference asciiRuns must match on ASCII.
const RUNS = /\p{Script=Han}+|[[\p{L}\p{M}\p{N}]--\p{Script=Han}]+(?:['’.][[\p{L}\p{M}\p{N}]--\p{Script=Han}]+)*/gv;

describe("asciiRuns", () => {
  it("finds the words tokenize's pattern finds, on random ASCII text full of edge cases", () => {
    const alphabet = "abzAZ0159'..''  -_,;:!?\n\t\"()s";
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let n = 0; n < 5_000; n++) {
      const text = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join("").toLowerCase();
      expect(asciiRuns(text), JSON.stringify(text)).toEqual([...text.matchAll(RUNS)].map(([run]) => run));
    }
  });

  it("joins inner apostrophes and dots, not leading or trailing ones", () => {
    expect(asciiRuns("'tis u.s. earth's 2.5.1 end. ..a.. x'")).toEqual(["tis", "u.s", "earth's", "2.5.1", "end", "a", "x"]);
  });

  it("is used for ASCII text only", () => {
    expect(ASCII_ONLY.test("plain text, 42.")).toBe(true);
    expect(ASCII_ONLY.test("naïve")).toBe(false);
    // The same words either way: ASCII, and the same text with one non-ASCII character added.
    expect(tokenize("Earth's 2.5 moons aren't U.S. made")).toEqual(tokenize("Earth's 2.5 moons aren't U.S. made é").slice(0, -1));
  });
});
