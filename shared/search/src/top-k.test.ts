import { describe, expect, it } from "vitest";
import { topK } from "./top-k.js";

describe("topK", () => {
  // Scores drawn from few values (many ties) or many; candidates in an order unrelated to score.
  const cases = (distinct: number, count: number, seed: number) => {
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    const slots = count + 10;
    const scores = new Float64Array(slots);
    const ids = Array.from({ length: slots }, (_, slot) => `id-${(slot * 7_919) % 10_007}`);
    const candidates = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const slot = (i * 37 + 5) % slots;
      candidates[i] = slot;
      scores[slot] = 1 + (next() % distinct) / 7;
    }
    return { scores, ids, candidates };
  };
  const sorted = ({ scores, ids, candidates }: ReturnType<typeof cases>) =>
    [...candidates].sort((a, b) => scores[b]! - scores[a]! || (ids[a]! < ids[b]! ? -1 : 1));

  it("gives the first k of the full sort (score, then id), with or without sampling, ties included", () => {
    for (const distinct of [2, 5, 50, 100_000]) {
      for (const count of [1, 7, 99, 400, 401, 2_700]) {
        const c = cases(distinct, count, distinct + count);
        const all = sorted(c);
        for (const k of [1, 5, 99, 100, 101, 3_000]) expect(topK(c.candidates, count, k, c.scores, c.ids)).toEqual(all.slice(0, k));
      }
    }
  });

  it("returns nothing for k 0 or no candidates", () => {
    const c = cases(3, 10, 1);
    expect(topK(c.candidates, 10, 0, c.scores, c.ids)).toEqual([]);
    expect(topK(c.candidates, 0, 5, c.scores, c.ids)).toEqual([]);
  });
});
