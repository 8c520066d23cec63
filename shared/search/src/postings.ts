/**
 * One term's postings in one field: document slot, term frequency and BM25 denominator per entry,
 * in insertion order. Slots and frequencies are plain arrays of small integers (V8 keeps them
 * unboxed; typed arrays grown by doubling scored no faster and made indexing 18% slower), the
 * denominators a Float64Array.
 *
 * The denominator tf + k1·(1 − b) + (k1·b / avgdl)·|d| depends on the posting and on two constants
 * of the whole field (`normBase`, `normPerTerm`), which change with every document added or
 * removed. It is computed again for a term's postings only when the term is scored with constants
 * other than those it was computed with, by the same expression in the same order, so a score is
 * bit for bit the one computed afresh.
 */
export class Postings {
  readonly slots: number[] = [];
  readonly tfs: number[] = [];
  /** Live entries only: `length` minus entries of replaced (dead) documents. */
  df = 0;

  private denominators = new Float64Array(0);
  // The constants `denominators` holds the values for; NaN (equal to nothing) when they are stale.
  private normBase = Number.NaN;
  private normPerTerm = Number.NaN;

  /** Entries, dead ones (of replaced documents, until compaction) included. */
  get length(): number {
    return this.slots.length;
  }

  /** Appends the posting of a document (slots arrive in increasing order). */
  push(slot: number, tf: number): void {
    this.slots.push(slot);
    this.tfs.push(tf);
    this.df++;
    this.invalidate();
  }

  /**
   * tf + normBase + normPerTerm · lengths[slot] for every entry, computed now unless already computed
   * with these constants. Read it before the postings change.
   */
  denominatorsFor(normBase: number, normPerTerm: number, lengths: Int32Array): Float64Array {
    if (normBase === this.normBase && normPerTerm === this.normPerTerm) return this.denominators;
    const { slots, tfs } = this;
    const length = slots.length;
    if (this.denominators.length !== length) this.denominators = new Float64Array(length);
    const denominators = this.denominators;
    for (let i = 0; i < length; i++) denominators[i] = tfs[i]! + normBase + normPerTerm * lengths[slots[i]!]!;
    this.normBase = normBase;
    this.normPerTerm = normPerTerm;
    return denominators;
  }

  /** Renumbers slots (`newSlot[old]`, or -1 for a dead one) and drops dead entries. */
  renumber(newSlot: Int32Array): void {
    const { slots, tfs } = this;
    let kept = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = newSlot[slots[i]!]!;
      if (slot < 0) continue;
      slots[kept] = slot;
      tfs[kept] = tfs[i]!;
      kept++;
    }
    slots.length = kept;
    tfs.length = kept;
    this.invalidate();
  }

  private invalidate(): void {
    this.normBase = Number.NaN;
    this.normPerTerm = Number.NaN;
  }
}
