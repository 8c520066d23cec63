// Scratch for the candidates' scores, grown as needed and shared by every call (JavaScript runs one
// call at a time): a ranking picks from thousands of candidates per search.
let values = new Float64Array(4_096);

// With more than SAMPLE_FACTOR × k candidates, the k-th best score is selected from those scoring
// at least the k-th best of the first SAMPLE_FACTOR × k: in slot order (unrelated to score) about a
// quarter of them, so quickselect runs over a quarter of the scores.
const SAMPLE_FACTOR = 4;

/**
 * The `k` best of `count` candidate slots, best first: highest `scores[slot]` first, equal scores in
 * `ids[slot]` order (ids are unique, so the order is total and the result is that of sorting every
 * candidate). The k-th best score is found by quickselect over a copy of the scores (O(count) float
 * comparisons, no string compared; see SAMPLE_FACTOR), then only the candidates scoring at least that much are sorted:
 * k of them plus any tied with the k-th. A bounded heap cost several times more at a depth of 100
 * (fusion ranks that deep): hundreds of sifts, each a chain of comparisons.
 */
export function topK(candidates: Int32Array, count: number, k: number, scores: Float64Array, ids: readonly string[]): number[] {
  if (k <= 0 || count <= 0) return [];
  let picked: number[];
  if (count <= k) picked = Array.from(candidates.subarray(0, count));
  else {
    if (values.length < count) values = new Float64Array(Math.max(count, values.length * 2));
    let threshold: number;
    const sample = SAMPLE_FACTOR * k;
    if (sample < count) {
      // The k-th best of the first `sample` candidates is at most the k-th best of all: every
      // candidate of the top k scores at least that much. Only those are selected from.
      for (let i = 0; i < sample; i++) values[i] = scores[candidates[i]!]!;
      const bound = select(values, sample, sample - k);
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const score = scores[candidates[i]!]!;
        if (score >= bound) values[kept++] = score;
      }
      threshold = select(values, kept, kept - k);
    } else {
      for (let i = 0; i < count; i++) values[i] = scores[candidates[i]!]!;
      threshold = select(values, count, count - k);
    }
    picked = [];
    for (let i = 0; i < count; i++) {
      const slot = candidates[i]!;
      if (scores[slot]! >= threshold) picked.push(slot);
    }
  }
  picked.sort((a, b) => scores[b]! - scores[a]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  if (picked.length > k) picked.length = k;
  return picked;
}

/**
 * The value at index `target` of the first `n` values were they sorted ascending (Hoare's
 * quickselect, median-of-three pivot). Reorders `a`.
 */
function select(a: Float64Array, n: number, target: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}
