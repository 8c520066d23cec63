/**
 * The `k` best of `count` candidate slots, best first: highest `scores[slot]` first, equal scores in
 * `ids[slot]` order (ids are unique, so the order is total and the result is that of sorting every
 * candidate). A min-heap whose root is the worst kept: picking costs O(count · log k) instead of a
 * sort, and a candidate scoring below the root (most of them, once the heap is full) costs one
 * comparison. Scores sit beside the slots in the heap, so that test reads no other array.
 */
export function topK(candidates: Int32Array, count: number, k: number, scores: Float64Array, ids: readonly string[]): number[] {
  const capacity = Math.min(k, count);
  if (capacity <= 0) return [];
  const heap = new Int32Array(capacity);
  const heapScores = new Float64Array(capacity);
  let size = 0;
  // Whether the entry at heap position i ranks below the one at j.
  const below = (i: number, j: number): boolean =>
    heapScores[i]! < heapScores[j]! || (heapScores[i] === heapScores[j] && ids[heap[i]!]! > ids[heap[j]!]!);
  const swap = (i: number, j: number): void => {
    const slot = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = slot;
    const score = heapScores[i]!;
    heapScores[i] = heapScores[j]!;
    heapScores[j] = score;
  };
  for (let c = 0; c < count; c++) {
    const slot = candidates[c]!;
    const score = scores[slot]!;
    if (size < capacity) {
      heap[size] = slot;
      heapScores[size] = score;
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!below(at, parent)) break;
        swap(at, parent);
        at = parent;
      }
      continue;
    }
    // Kept only if it ranks above the worst kept.
    const worst = heapScores[0]!;
    if (score < worst || (score === worst && ids[slot]! > ids[heap[0]!]!)) continue;
    heap[0] = slot;
    heapScores[0] = score;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let lowest = at;
      if (left < size && below(left, lowest)) lowest = left;
      if (right < size && below(right, lowest)) lowest = right;
      if (lowest === at) break;
      swap(at, lowest);
      at = lowest;
    }
  }
  const best = Array.from(heap.subarray(0, size));
  return best.sort((a, b) => scores[b]! - scores[a]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
}
