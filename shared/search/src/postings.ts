const INITIAL_CAPACITY = 4;

/**
 * One term's postings in one field: document slot, term frequency and BM25 denominator per entry,
 * in insertion order, as typed arrays grown by doubling. Scoring walks these for every query term,
 * and typed arrays keep that walk free of boxed numbers and hole checks.
 *
 * The denominator tf + k1·(1 − b) + (k1·b / avgdl)·|d| depends on the posting and on two constants
 * of the whole field (`normBase`, `normPerTerm`), which change with every document added or
 * removed. It is computed again for a term's postings only when the term is scored with constants
 * other than those it was computed with, by the same expression in the same order, so a score is
 * bit for bit the one computed afresh.
 */
export class Postings {
  slots: Int32Array = new Int32Array(INITIAL_CAPACITY);
  tfs: Int32Array = new Int32Array(INITIAL_CAPACITY);
  /** Entries, dead ones (of replaced documents, until compaction) included. */
  length = 0;
  /** Live entries only: `length` minus entries of replaced (dead) documents. */
  df = 0;

  private denominators = new Float64Array(0);
  // The constants `denominators` holds the values for; NaN (equal to nothing) when they are stale.
  private normBase = Number.NaN;
  private normPerTerm = Number.NaN;

  /** Appends the posting of a document (slots arrive in increasing order). */
  push(slot: number, tf: number): void {
    if (this.length === this.slots.length) {
      this.slots = grow(this.slots, this.length * 2);
      this.tfs = grow(this.tfs, this.length * 2);
    }
    this.slots[this.length] = slot;
    this.tfs[this.length] = tf;
    this.length++;
    this.df++;
    this.invalidate();
  }

  /**
   * tf + normBase + normPerTerm · lengths[slot] for every entry, computed now unless already computed
   * with these constants. Shared scratch: read it before the next call.
   */
  denominatorsFor(normBase: number, normPerTerm: number, lengths: Int32Array): Float64Array {
    if (normBase === this.normBase && normPerTerm === this.normPerTerm) return this.denominators;
    if (this.denominators.length < this.length) this.denominators = new Float64Array(this.slots.length);
    const { slots, tfs, denominators, length } = this;
    for (let i = 0; i < length; i++) denominators[i] = tfs[i]! + normBase + normPerTerm * lengths[slots[i]!]!;
    this.normBase = normBase;
    this.normPerTerm = normPerTerm;
    return denominators;
  }

  /** Renumbers slots (`newSlot[old]`, or -1 for a dead one) and drops dead entries. */
  renumber(newSlot: Int32Array): void {
    const { slots, tfs } = this;
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const slot = newSlot[slots[i]!]!;
      if (slot < 0) continue;
      slots[kept] = slot;
      tfs[kept] = tfs[i]!;
      kept++;
    }
    this.length = kept;
    this.invalidate();
  }

  private invalidate(): void {
    this.normBase = Number.NaN;
    this.normPerTerm = Number.NaN;
  }
}

function grow(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}
