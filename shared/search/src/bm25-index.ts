import type { Document } from "@kbalign/contracts";
import { tokenize } from "@kbalign/text";

/** BM25 free parameters: `k1` saturates term frequency, `b` scales document-length normalisation. */
export interface Bm25Parameters {
  k1: number;
  b: number;
}

/** Anserini's defaults (its BEIR baselines use them); Lucene's own are k1 1.2, b 0.75. */
export const DEFAULT_BM25_PARAMETERS: Readonly<Bm25Parameters> = Object.freeze({ k1: 0.9, b: 0.4 });

/** What the index keeps of a document: enough to score it and to return it. */
export interface IndexableDocument {
  id: string;
  title?: string;
  text: string;
}

/** Whether `upsert` added a new document or replaced one with the same id. */
export type UpsertResult = "added" | "replaced";

/** One term's postings: parallel arrays of document slot and term frequency, in insertion order. */
interface Postings {
  slots: number[];
  tfs: number[];
  /** Live entries only: `slots.length` minus entries of replaced (dead) documents. */
  df: number;
}

/** Marks a slot whose document was replaced; its postings are skipped until compaction drops them. */
const DEAD = -1;

/**
 * Dead slots are compacted away once there are more of them than live documents (and at least this
 * many, so that small indexes do not rebuild on every few replacements). Amortised O(1) per upsert.
 */
const COMPACTION_MIN_DEAD = 1_024;

/**
 * An in-memory Okapi BM25 index in the Lucene/Anserini flavour:
 *
 *   score(q, d) = Σ_{t ∈ q} qtf(t) · idf(t) · tf(t,d) / (tf(t,d) + k1 · (1 − b + b · |d| / avgdl))
 *   idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
 *
 * As in Lucene ≥ 8 the constant factor (k1 + 1) of the textbook numerator is left out (it does not
 * change the ranking), and as in Anserini's bag-of-words queries a term repeated in the query counts
 * `qtf` times. Unlike Lucene, document lengths are exact (no lossy one-byte norm encoding).
 *
 * Terms are `tokenize(title + "\n" + text)`. An inverted index maps each term to its postings, so a
 * search touches only the postings of the query's terms; scores accumulate in a buffer reused by
 * every search (no per-query allocation proportional to the collection), and the top `topn` are
 * picked with a bounded heap instead of sorting every matching document.
 *
 * Replacing a document marks its old slot dead and subtracts its statistics (N, df, total length)
 * at once, so it is never counted or returned twice; dead postings are dropped by a periodic
 * compaction. Not safe for concurrent mutation during a search, which JavaScript's single thread
 * rules out as long as `search` stays synchronous.
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;

  private readonly slotById = new Map<string, number>();
  private readonly postings = new Map<string, Postings>();
  // Per-slot columns. `lengths[slot]` is the document's term count, or DEAD.
  private ids: string[] = [];
  private titles: (string | undefined)[] = [];
  private texts: string[] = [];
  private lengths: number[] = [];
  private liveCount = 0;
  private deadCount = 0;
  private totalLength = 0;

  // Search scratch space, grown with the slot count and reset after each search.
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);

  constructor(parameters: Partial<Bm25Parameters> = {}) {
    const { k1, b } = { ...DEFAULT_BM25_PARAMETERS, ...parameters };
    if (!(Number.isFinite(k1) && k1 >= 0)) throw new RangeError(`BM25 k1 must be a finite number >= 0, got ${k1}`);
    if (!(Number.isFinite(b) && b >= 0 && b <= 1)) throw new RangeError(`BM25 b must be between 0 and 1, got ${b}`);
    this.k1 = k1;
    this.b = b;
  }

  /** Number of (live) documents. */
  get size(): number {
    return this.liveCount;
  }

  /** Number of distinct terms with at least one live document. */
  get termCount(): number {
    return this.postings.size;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  /** Adds a document, or replaces the one with the same id (its old terms and length no longer count). */
  upsert(doc: IndexableDocument): UpsertResult {
    const previous = this.slotById.get(doc.id);
    if (previous !== undefined) this.retire(previous);

    const slot = this.ids.length;
    const terms = termsOf(doc);
    const tfs = new Map<string, number>();
    for (const term of terms) tfs.set(term, (tfs.get(term) ?? 0) + 1);
    for (const [term, tf] of tfs) {
      let list = this.postings.get(term);
      if (!list) {
        list = { slots: [], tfs: [], df: 0 };
        this.postings.set(term, list);
      }
      list.slots.push(slot);
      list.tfs.push(tf);
      list.df++;
    }
    this.ids.push(doc.id);
    this.titles.push(doc.title);
    this.texts.push(doc.text);
    this.lengths.push(terms.length);
    this.slotById.set(doc.id, slot);
    this.liveCount++;
    this.totalLength += terms.length;

    if (this.deadCount >= COMPACTION_MIN_DEAD && this.deadCount > this.liveCount) this.compact();
    return previous === undefined ? "added" : "replaced";
  }

  /** The `topn` best documents for `query`, best first; equal scores in id order. Empty when no term matches. */
  search(query: string, topn: number): Document[] {
    if (topn < 1 || this.liveCount === 0 || this.totalLength === 0) return [];
    const queryTerms = new Map<string, number>();
    for (const term of tokenize(query)) queryTerms.set(term, (queryTerms.get(term) ?? 0) + 1);
    if (queryTerms.size === 0) return [];

    this.ensureScratch();
    const { scores, touched, lengths } = this;
    const n = this.liveCount;
    const avgdl = this.totalLength / n;
    // tf / (tf + k1·(1 − b) + (k1·b/avgdl)·|d|): the two constants hoisted out of the loop.
    const normBase = this.k1 * (1 - this.b);
    const normPerTerm = (this.k1 * this.b) / avgdl;
    let touchedCount = 0;

    for (const [term, qtf] of queryTerms) {
      const list = this.postings.get(term);
      if (!list || list.df === 0) continue;
      const weight = qtf * Math.log(1 + (n - list.df + 0.5) / (list.df + 0.5));
      const { slots, tfs } = list;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        const length = lengths[slot]!;
        if (length === DEAD) continue;
        const tf = tfs[i]!;
        // Every contribution is > 0 (idf > 0, tf ≥ 1), so a zero score means "not touched yet".
        if (scores[slot] === 0) touched[touchedCount++] = slot;
        scores[slot]! += (weight * tf) / (tf + normBase + normPerTerm * length);
      }
    }

    const best = this.selectTop(touchedCount, topn);
    for (let i = 0; i < touchedCount; i++) scores[touched[i]!] = 0;
    return best;
  }

  /** Picks the best `topn` of the touched slots with a min-heap whose root is the worst kept. */
  private selectTop(touchedCount: number, topn: number): Document[] {
    const { scores, touched, ids } = this;
    const heap: number[] = [];
    // a ranks below b: lower score, or the same score and a later id.
    const below = (a: number, b: number): boolean => scores[a]! < scores[b]! || (scores[a] === scores[b] && ids[a]! > ids[b]!);
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
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i]!;
      if (heap.length < topn) {
        heap.push(slot);
        siftUp(heap.length - 1);
      } else if (below(heap[0]!, slot)) {
        heap[0] = slot;
        siftDown(0);
      }
    }
    heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
    return heap.map((slot) => this.documentAt(slot, scores[slot]!));
  }

  private documentAt(slot: number, score: number): Document {
    const title = this.titles[slot];
    const text = this.texts[slot]!;
    const id = this.ids[slot]!;
    return title === undefined ? { id, score, text } : { id, score, title, text };
  }

  /** Takes a replaced document out of every statistic; its postings stay until compaction. */
  private retire(slot: number): void {
    const length = this.lengths[slot]!;
    // Re-tokenising the stored text costs a little CPU on replacement but no per-document term list in memory.
    const unique = new Set(termsOf({ id: this.ids[slot]!, title: this.titles[slot], text: this.texts[slot]! }));
    for (const term of unique) {
      const list = this.postings.get(term);
      if (!list) continue;
      list.df--;
      // A term no live document has any more: its remaining postings are all dead.
      if (list.df === 0) this.postings.delete(term);
    }
    this.lengths[slot] = DEAD;
    this.titles[slot] = undefined;
    this.texts[slot] = "";
    this.liveCount--;
    this.deadCount++;
    this.totalLength -= length;
  }

  /** Renumbers live slots densely and drops dead postings. O(slots + postings). */
  private compact(): void {
    const newSlot = new Int32Array(this.ids.length).fill(DEAD);
    const ids: string[] = [];
    const titles: (string | undefined)[] = [];
    const texts: string[] = [];
    const lengths: number[] = [];
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (this.lengths[slot] === DEAD) continue;
      newSlot[slot] = ids.length;
      this.slotById.set(this.ids[slot]!, ids.length);
      ids.push(this.ids[slot]!);
      titles.push(this.titles[slot]);
      texts.push(this.texts[slot]!);
      lengths.push(this.lengths[slot]!);
    }
    for (const list of this.postings.values()) {
      let kept = 0;
      for (let i = 0; i < list.slots.length; i++) {
        const slot = newSlot[list.slots[i]!]!;
        if (slot === DEAD) continue;
        list.slots[kept] = slot;
        list.tfs[kept] = list.tfs[i]!;
        kept++;
      }
      list.slots.length = kept;
      list.tfs.length = kept;
    }
    this.ids = ids;
    this.titles = titles;
    this.texts = texts;
    this.lengths = lengths;
    this.deadCount = 0;
  }

  private ensureScratch(): void {
    const needed = this.ids.length;
    if (this.scores.length >= needed) return;
    const capacity = Math.max(needed, this.scores.length * 2, 1_024);
    this.scores = new Float64Array(capacity);
    this.touched = new Int32Array(capacity);
  }
}

function termsOf(doc: IndexableDocument): string[] {
  return tokenize(doc.title === undefined ? doc.text : `${doc.title}\n${doc.text}`);
}
