/**
 * Ranking quality of one query against its judgements, as trec_eval / pytrec_eval compute it:
 * - nDCG@k (`ndcg_cut_k`): gain = the qrel grade (linear, not 2^grade − 1), discount log2(rank + 1)
 *   with ranks from 1; the ideal DCG ranks the query's own judged documents by grade.
 * - Recall@k: |relevant ∩ top k| / |relevant|, relevant = grade > 0.
 * - MRR@k: 1 / rank of the first relevant document within the top k, else 0.
 * A ranking shorter than k is scored on what it holds. A document id repeated in a ranking counts
 * at its first rank only.
 */

/** Judged documents of one query: id -> grade (0 or less: judged not relevant). */
export type Qrels = ReadonlyMap<string, number>;

/** The metrics `kbalign eval` reports for each recall. */
export interface RetrievalScores {
  ndcg10: number;
  recall5: number;
  recall10: number;
  recall100: number;
  mrr10: number;
}

export const RETRIEVAL_METRICS = ["ndcg10", "recall5", "recall10", "recall100", "mrr10"] as const satisfies ReadonlyArray<keyof RetrievalScores>;

/** How each metric is named in tables and charts. */
export const METRIC_LABELS: Record<keyof RetrievalScores, string> = {
  ndcg10: "nDCG@10",
  recall5: "R@5",
  recall10: "R@10",
  recall100: "R@100",
  mrr10: "MRR@10",
};

const gain = (grade: number | undefined): number => (grade !== undefined && grade > 0 ? grade : 0);

/** The ranking cut to k with repeated ids removed (a repeat would be counted twice otherwise). */
function topK(ranking: readonly string[], k: number): string[] {
  return [...new Set(ranking)].slice(0, k);
}

export function dcgAt(ranking: readonly string[], qrels: Qrels, k: number): number {
  return topK(ranking, k).reduce((sum, id, i) => sum + gain(qrels.get(id)) / Math.log2(i + 2), 0);
}

export function ndcgAt(ranking: readonly string[], qrels: Qrels, k: number): number {
  const ideal = [...qrels.values()]
    .map(gain)
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcgAt(ranking, qrels, k) / ideal;
}

export function recallAt(ranking: readonly string[], qrels: Qrels, k: number): number {
  const relevant = [...qrels.values()].filter((grade) => grade > 0).length;
  if (relevant === 0) return 0;
  return topK(ranking, k).filter((id) => gain(qrels.get(id)) > 0).length / relevant;
}

export function mrrAt(ranking: readonly string[], qrels: Qrels, k: number): number {
  const rank = topK(ranking, k).findIndex((id) => gain(qrels.get(id)) > 0);
  return rank === -1 ? 0 : 1 / (rank + 1);
}

/**
 * Scores a query's recall: `shallow` is the ranking the pipeline used (its public recall event, at
 * least 10 deep), `deep` the same recall ranked 100 deep, for Recall@100 only.
 */
export function scoreRecall(shallow: readonly string[], deep: readonly string[], qrels: Qrels): RetrievalScores {
  return {
    ndcg10: ndcgAt(shallow, qrels, 10),
    recall5: recallAt(shallow, qrels, 5),
    recall10: recallAt(shallow, qrels, 10),
    recall100: recallAt(deep, qrels, 100),
    mrr10: mrrAt(shallow, qrels, 10),
  };
}

export const ZERO_SCORES: Readonly<RetrievalScores> = Object.freeze({ ndcg10: 0, recall5: 0, recall10: 0, recall100: 0, mrr10: 0 });

/** The mean of each metric over the queries (all zero for none). */
export function meanScores(scores: readonly RetrievalScores[]): RetrievalScores {
  const mean = (metric: keyof RetrievalScores) => (scores.length === 0 ? 0 : scores.reduce((sum, s) => sum + s[metric], 0) / scores.length);
  return { ndcg10: mean("ndcg10"), recall5: mean("recall5"), recall10: mean("recall10"), recall100: mean("recall100"), mrr10: mean("mrr10") };
}
