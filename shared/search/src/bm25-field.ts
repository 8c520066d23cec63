import { Postings } from "./postings.js";

/** BM25's free parameters for one field: `k1` saturates term frequency, `b` scales length normalisation. */
export interface FieldParameters {
  k1: number;
  b: number;
}

/** Per-search scratch shared by every field: a score per slot and the slots scored so far. */
export interface ScoreBuffer {
  scores: Float64Array;
  touched: Int32Array;
  touchedCount: number;
  /** 0 for the slot of a replaced document, which every field skips; 1 for a live one. */
  alive: Uint8Array;
}

/**
 * The inverted index of one field (the whole text, or the title): postings per term,
 * each document's length in terms, and their total. Document slots are the owning index's, shared
 * by all its fields. Scoring adds BM25 contributions in the Lucene/Anserini flavour:
 *
 *   weight · qw(t) · idf(t) · tf / (tf + k1 · (1 − b + b · |d| / avgdl)),  idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 *
 * with N the live documents of the index (documents without this field count, with length 0).
 * Each posting's denominator is kept with it (see Postings.denominators), computed again only for a
 * term scored after N, the total length or the parameters changed.
 */
export class Bm25Field {
  private readonly postings = new Map<string, Postings>();
  private lengths: Int32Array = new Int32Array(1_024);
  private totalLength = 0;

  /** Distinct terms with at least one live document. */
  get termCount(): number {
    return this.postings.size;
  }

  /** Indexes the terms of the document at `slot` (slots arrive in increasing order). */
  add(slot: number, terms: readonly string[]): void {
    const tfs = new Map<string, number>();
    for (const term of terms) tfs.set(term, (tfs.get(term) ?? 0) + 1);
    for (const [term, tf] of tfs) {
      let list = this.postings.get(term);
      if (!list) {
        list = new Postings();
        this.postings.set(term, list);
      }
      list.push(slot, tf);
    }
    if (slot >= this.lengths.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.lengths.length * 2));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[slot] = terms.length;
    this.totalLength += terms.length;
  }

  /** Takes a replaced document's terms out of the statistics; its postings stay until compaction. */
  retire(slot: number, terms: readonly string[]): void {
    for (const term of new Set(terms)) {
      const list = this.postings.get(term);
      if (!list) continue;
      list.df--;
      // A term no live document has any more: its remaining postings are all dead.
      if (list.df === 0) this.postings.delete(term);
    }
    this.totalLength -= this.lengths[slot] ?? 0;
    if (slot < this.lengths.length) this.lengths[slot] = 0;
  }

  /** Inverse document frequency of `term` among `n` live documents (0 for an unknown term). */
  idf(term: string, n: number): number {
    const df = this.postings.get(term)?.df ?? 0;
    return df === 0 ? 0 : Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Adds `weight` × the BM25 score of every live document for the weighted `terms` to `buffer`. */
  score(terms: ReadonlyMap<string, number>, weight: number, n: number, { k1, b }: FieldParameters, buffer: ScoreBuffer): void {
    if (this.totalLength === 0) return;
    const avgdl = this.totalLength / n;
    // tf / (tf + k1·(1 − b) + (k1·b/avgdl)·|d|): the two constants hoisted out of the loop.
    const normBase = k1 * (1 - b);
    const normPerTerm = (k1 * b) / avgdl;
    const { scores, touched, alive } = buffer;
    let touchedCount = buffer.touchedCount;
    for (const [term, termWeight] of terms) {
      const list = this.postings.get(term);
      if (!list || list.df === 0) continue;
      const w = weight * termWeight * Math.log(1 + (n - list.df + 0.5) / (list.df + 0.5));
      const denominators = list.denominatorsFor(normBase, normPerTerm, this.lengths);
      const { slots, tfs, length } = list;
      for (let i = 0; i < length; i++) {
        const slot = slots[i]!;
        if (alive[slot] === 0) continue;
        const previous = scores[slot]!;
        // Every contribution is > 0 (weights > 0, idf > 0, tf ≥ 1), so a zero score means "not touched yet".
        if (previous === 0) touched[touchedCount++] = slot;
        scores[slot] = previous + (w * tfs[i]!) / denominators[i]!;
      }
    }
    buffer.touchedCount = touchedCount;
  }

  /** Renumbers slots (`newSlot[old]`, or -1 for a dead one) and drops dead postings. */
  compact(newSlot: Int32Array, slotCount: number): void {
    const lengths = new Int32Array(Math.max(slotCount, 1_024));
    for (let old = 0; old < newSlot.length && old < this.lengths.length; old++) {
      const slot = newSlot[old]!;
      if (slot >= 0) lengths[slot] = this.lengths[old]!;
    }
    this.lengths = lengths;
    for (const list of this.postings.values()) list.renumber(newSlot);
  }
}
