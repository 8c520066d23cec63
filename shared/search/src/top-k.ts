/**
 * The `k` best of `count` candidate slots, best first: a min-heap whose root is the worst kept, so
 * picking costs O(count · log k) instead of sorting every candidate. `below(a, b)` says a ranks below b.
 */
export function topK(candidates: Int32Array, count: number, k: number, below: (a: number, b: number) => boolean): number[] {
  const heap: number[] = [];
  const siftUp = (at: number): void => {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!below(heap[at]!, heap[parent]!)) return;
      [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
      at = parent;
    }
  };
  const siftDown = (at: number): void => {
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let worst = at;
      if (left < heap.length && below(heap[left]!, heap[worst]!)) worst = left;
      if (right < heap.length && below(heap[right]!, heap[worst]!)) worst = right;
      if (worst === at) return;
      [heap[at], heap[worst]] = [heap[worst]!, heap[at]!];
      at = worst;
    }
  };
  for (let i = 0; i < count; i++) {
    const slot = candidates[i]!;
    if (heap.length < k) {
      heap.push(slot);
      siftUp(heap.length - 1);
    } else if (below(heap[0]!, slot)) {
      heap[0] = slot;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}
