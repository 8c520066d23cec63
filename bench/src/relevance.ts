import type { Judgements } from "./beir-dataset.js";

// The definitions of trec_eval (as pytrec_eval, which BEIR uses): ndcg_cut_k with linear gain and
// log2(rank + 1) discount, the ideal ranking built from the judgements; recall_k over the documents
// judged relevant (> 0). Ranks are the engine's own order (trec_eval would re-sort ties by docno).

/** nDCG at cut-off `k` of one ranking. 0 when nothing is judged relevant. */
export function ndcgAt(k: number, ranking: readonly string[], judgements: Judgements): number {
  let dcg = 0;
  for (let rank = 0; rank < Math.min(k, ranking.length); rank++) {
    const gain = judgements.get(ranking[rank]!) ?? 0;
    if (gain > 0) dcg += gain / Math.log2(rank + 2);
  }
  const ideal = [...judgements.values()].filter((gain) => gain > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let rank = 0; rank < Math.min(k, ideal.length); rank++) idcg += ideal[rank]! / Math.log2(rank + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Share of the relevant documents found in the first `k`. 0 when nothing is judged relevant. */
export function recallAt(k: number, ranking: readonly string[], judgements: Judgements): number {
  let relevant = 0;
  for (const gain of judgements.values()) if (gain > 0) relevant++;
  if (relevant === 0) return 0;
  let found = 0;
  for (const id of ranking.slice(0, k)) if ((judgements.get(id) ?? 0) > 0) found++;
  return found / relevant;
}
