import { describe, expect, it } from "vitest";
import { dcgAt, meanScores, mrrAt, ndcgAt, recallAt, scoreRecall, ZERO_SCORES } from "./retrieval-metrics.js";

// One query, worked by hand. Judgements: d1 grade 2, d2 and d3 grade 1, d9 judged not relevant (0).
// Ranking: d4 d1 d9 d3 d5 d6 d2 (d4, d5, d6 unjudged).
const qrels = new Map([
  ["d1", 2],
  ["d2", 1],
  ["d3", 1],
  ["d9", 0],
]);
const ranking = ["d4", "d1", "d9", "d3", "d5", "d6", "d2"];

describe("retrieval metrics on a hand-computed query", () => {
  it("nDCG@10: linear gains, log2(rank+1) discount, ideal from the qrels sorted by grade", () => {
    // DCG  = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) + 0 + 0 + 1/log2(8)
    //      = 0 + 2/1.5849625 + 0 + 1/2.3219281 + 0 + 0 + 1/3
    //      = 1.2618595 + 0.4306766 + 0.3333333 = 2.0258694
    // IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298
    // nDCG = 2.0258694 / 3.1309298 = 0.6470504
    expect(dcgAt(ranking, qrels, 10)).toBeCloseTo(2.0258694, 6);
    expect(ndcgAt(ranking, qrels, 10)).toBeCloseTo(0.6470504, 6);
    // Exponential gains (2^grade - 1) would give d1 a gain of 3 and a different value.
    expect(ndcgAt(ranking, qrels, 10)).not.toBeCloseTo((3 / Math.log2(3) + 1 / Math.log2(5) + 1 / 3) / (3 + 1 / Math.log2(3) + 0.5), 3);
  });

  it("nDCG@5 cuts both the ranking and the ideal at 5", () => {
    // DCG@5 = 1.2618595 + 0.4306766 = 1.6925361; IDCG@5 = 3.1309298 (three relevant) -> 0.5405858
    expect(ndcgAt(ranking, qrels, 5)).toBeCloseTo(0.5405858, 6);
  });

  it("Recall@k counts relevant (grade > 0) documents in the top k over all relevant ones", () => {
    expect(recallAt(ranking, qrels, 1)).toBe(0);
    expect(recallAt(ranking, qrels, 5)).toBeCloseTo(2 / 3, 10); // d1, d3
    expect(recallAt(ranking, qrels, 10)).toBe(1); // d1, d3, d2: the ranking is shorter than 10
    expect(recallAt(ranking, qrels, 100)).toBe(1);
  });

  it("MRR@10 is 1/rank of the first relevant document, 0 past the cut", () => {
    expect(mrrAt(ranking, qrels, 10)).toBe(0.5);
    expect(mrrAt(ranking, qrels, 1)).toBe(0);
    expect(mrrAt(["d9", "d4"], qrels, 10)).toBe(0); // a grade-0 document is not relevant
  });

  it("a perfect ranking scores 1 everywhere; an empty one 0", () => {
    const perfect = ["d1", "d2", "d3"];
    expect(scoreRecall(perfect, perfect, qrels)).toEqual({ ndcg10: 1, recall5: 1, recall10: 1, recall100: 1, mrr10: 1 });
    expect(scoreRecall([], [], qrels)).toEqual(ZERO_SCORES);
  });

  it("counts a repeated id at its first rank only", () => {
    expect(recallAt(["d1", "d1", "d1"], qrels, 3)).toBeCloseTo(1 / 3, 10);
    expect(dcgAt(["d1", "d1"], qrels, 10)).toBe(2);
  });

  it("takes Recall@100 from the deep ranking and the rest from the shallow one", () => {
    const deep = [...Array.from({ length: 40 }, (_, i) => `x${i}`), "d1", "d2", "d3"];
    const scores = scoreRecall(["x0", "x1"], deep, qrels);
    expect(scores).toEqual({ ndcg10: 0, recall5: 0, recall10: 0, recall100: 1, mrr10: 0 });
  });

  it("scores 0 when nothing is relevant, and averages per metric", () => {
    expect(ndcgAt(ranking, new Map([["d1", 0]]), 10)).toBe(0);
    expect(recallAt(ranking, new Map(), 10)).toBe(0);
    const mean = meanScores([
      { ndcg10: 1, recall5: 1, recall10: 1, recall100: 1, mrr10: 1 },
      { ndcg10: 0.5, recall5: 0, recall10: 0.5, recall100: 1, mrr10: 0.25 },
    ]);
    expect(mean).toEqual({ ndcg10: 0.75, recall5: 0.5, recall10: 0.75, recall100: 1, mrr10: 0.625 });
    expect(meanScores([])).toEqual(ZERO_SCORES);
  });
});
