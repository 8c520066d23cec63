/** A document slot of an index and its score in one ranking. */
export interface Ranked {
  slot: number;
  score: number;
}

/** The constant of reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): ranks past the first few flatten out. */
export const RRF_K = 60;

/**
 * Reciprocal-rank fusion: each document scores Σ weight_i / (RRF_K + rank_i) over the rankings that
 * hold it (rank from 1), best first; equal scores in id order (`ids[slot]`), so the result is deterministic.
 */
export function fuse(rankings: readonly (readonly Ranked[])[], weights: readonly number[], ids: readonly string[]): Ranked[] {
  const fused = new Map<number, number>();
  rankings.forEach((ranking, i) => {
    const weight = weights[i] ?? 1;
    ranking.forEach(({ slot }, rank) => fused.set(slot, (fused.get(slot) ?? 0) + weight / (RRF_K + rank + 1)));
  });
  return [...fused]
    .map(([slot, score]) => ({ slot, score }))
    .sort((a, b) => b.score - a.score || (ids[a.slot]! < ids[b.slot]! ? -1 : ids[a.slot]! > ids[b.slot]! ? 1 : 0));
}
