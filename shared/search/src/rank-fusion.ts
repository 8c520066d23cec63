/** A document slot of an index and its score in one ranking. */
export interface Ranked {
  slot: number;
  score: number;
}

/** The constant of reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): ranks past the first few flatten out. */
export const RRF_K = 60;

/**
 * Reciprocal-rank fusion: each document scores Σ weight_i / (RRF_K + rank_i) over the rankings that
 * hold it (rank from 1), best first; equal scores in id order (`ids[slot]`), so the result is
 * deterministic. At most `limit` documents: the first `limit` of the whole fused ranking.
 */
export function fuse(rankings: readonly (readonly Ranked[])[], weights: readonly number[], ids: readonly string[], limit = Number.POSITIVE_INFINITY): Ranked[] {
  // Slot → its entry, summed in ranking order (the same additions, in the same order, as ever).
  const fused = new Map<number, Ranked>();
  for (let i = 0; i < rankings.length; i++) {
    const ranking = rankings[i]!;
    const weight = weights[i] ?? 1;
    for (let rank = 0; rank < ranking.length; rank++) {
      const { slot } = ranking[rank]!;
      const contribution = weight / (RRF_K + rank + 1);
      const entry = fused.get(slot);
      if (entry === undefined) fused.set(slot, { slot, score: 0 + contribution });
      else entry.score += contribution;
    }
  }
  const before = (a: Ranked, b: Ranked): boolean => a.score > b.score || (a.score === b.score && ids[a.slot]! < ids[b.slot]!);
  if (limit >= fused.size) return [...fused.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  // A few of a few hundred: kept in order by insertion, each entry compared with the last kept first.
  const best: Ranked[] = [];
  for (const entry of fused.values()) {
    if (best.length === limit && !before(entry, best[limit - 1]!)) continue;
    let at = best.length === limit ? limit - 1 : best.length;
    while (at > 0 && before(entry, best[at - 1]!)) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = entry;
  }
  return best;
}
