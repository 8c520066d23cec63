import type { Document } from "@kbalign/contracts";
import { tokenize } from "@kbalign/text";
import { Bm25Field, type ScoreBuffer } from "./bm25-field.js";
import { expansionTerms, weighTerms, type SearchQuery } from "./query-terms.js";
import { fuse, type Ranked } from "./rank-fusion.js";
import { topK } from "./top-k.js";

/** How the index ranks. Tuned on SciFact's train queries only (docs/evaluation.md). */
export interface Bm25Parameters {
  /** Term-frequency saturation. */
  k1: number;
  /** Document-length normalisation, 0 (none) to 1 (full). */
  b: number;
  /** Weight of the title as a field of its own, added to the whole text's score (0 turns it off). */
  titleWeight: number;
}

/**
 * k1 0.9 as Anserini, b 0.9, and the title as a field of its own at 0.2: chosen on SciFact's train
 * queries only, where they lift nDCG@10 from 0.698 (the best plain k1/b) to 0.703. The test split and
 * the search that chose them are in docs/evaluation.md.
 */
export const DEFAULT_BM25_PARAMETERS: Readonly<Bm25Parameters> = Object.freeze({ k1: 0.9, b: 0.9, titleWeight: 0.2 });

/** What the index keeps of a document: enough to score it and to return it. */
export interface IndexableDocument {
  id: string;
  title?: string | undefined;
  text: string;
}

/** Whether `upsert` added a new document or replaced one with the same id. */
export type UpsertResult = "added" | "replaced";

/**
 * Reciprocal-rank fusion of an expanded query (KBAlign's second recall) with the question alone:
 * both ranked this deep, the question's ranking counting FUSION_QUESTION_WEIGHT times the expanded
 * one's. The question keeps the last word; the draft breaks its near-ties and brings documents the
 * question alone missed. Measured against plain weighting and concatenation in docs/evaluation.md.
 */
const FUSION_DEPTH = 100;
const FUSION_QUESTION_WEIGHT = 2;

/**
 * KBAlign ranks each question twice: alone in the first recall, and again alone (at FUSION_DEPTH) to
 * fuse with the expanded ranking in the second. The question's ranking at FUSION_DEPTH is kept for
 * the last QUESTION_MEMO_ENTRIES questions of the current generation and serves both: a ranking is a
 * total order (score, then id), so its top k are the first k of its top FUSION_DEPTH. That spares one
 * of the three rankings a query costs.
 */
const QUESTION_MEMO_ENTRIES = 64;

/** Marks a slot whose document was replaced; its postings are skipped until compaction drops them. */
const DEAD = -1;

/**
 * Dead slots are compacted away once there are more of them than live documents (and at least this
 * many, so that small indexes do not rebuild on every few replacements). Amortised O(1) per upsert.
 */
const COMPACTION_MIN_DEAD = 1_024;

// Process-wide, so that every state of every index has a number no other state of any index ever
// had: a cache keyed on (collection, generation) cannot mistake a rebuilt or swapped index for the
// one it cached from.
let lastGeneration = 0;

interface DocumentTerms {
  text: string[];
  title: string[];
}

/** A question asked of the current generation: its terms, and its ranking at FUSION_DEPTH once made. */
interface QuestionMemo {
  terms: string[];
  ranking: Ranked[] | undefined;
  /** The whole-text field's scores of the question's terms alone, while held (see TEXT_SCORES_HELD). */
  textScores: TextScores | undefined;
}

/** An expanded ranking's whole-text scores so far (`start`), and its terms still to score in that field. */
interface Continuation {
  start: TextScores;
  rest: ReadonlyMap<string, number>;
}

/**
 * Scores of `count` slots: what a ranking's buffer held part way. One of TEXT_SCORES_HELD buffers
 * reused in turn (large typed arrays cost an allocation outside the heap and a sweep each), held by
 * at most one question at a time.
 */
interface TextScores {
  slots: Int32Array;
  scores: Float64Array;
  count: number;
  owner: QuestionMemo | undefined;
}

/**
 * The expanded ranking of KBAlign's second recall scores the question's terms and then the draft's,
 * field by field: its whole-text scores after the question's terms are exactly the question ranking's
 * own, which the first recall computed. They are kept for the last TEXT_SCORES_HELD questions (each
 * unless it touched more than TEXT_SCORES_MAX_SLOTS documents: 12 bytes a slot, 24 MiB at most in
 * all), so the second recall walks only the draft's postings in that field: the draft's terms are
 * its rarest, their postings short, while the question's common terms walk thousands. The sums are
 * continued in the same order, so the scores are bit for bit those computed afresh.
 */
const TEXT_SCORES_HELD = 8;
const TEXT_SCORES_MAX_SLOTS = 1 << 18;

/**
 * An in-memory BM25 index over two fields of every document: the whole text (title and body,
 * tokenized together) and the title alone. A document's score is the whole text's BM25 plus
 * `titleWeight` × the title's, each field with its own statistics (see Bm25Field): a title naming
 * the question's subject says more than a passing mention in the body. With `titleWeight` 0 this is
 * plain Okapi BM25 as Lucene ≥ 8 and Anserini compute it, except that document lengths are exact.
 *
 * A query's terms count once per occurrence; an expansion (the draft answer of KBAlign's second
 * recall) adds its rarest new terms at a lower weight (see expansionTerms). Searches touch only the
 * postings of the query's terms, accumulate in a buffer reused by every search, and pick the top
 * `topn` with a bounded heap. Replacing a document retires its old slot at once (never counted or
 * returned twice); dead postings are dropped by a periodic compaction. Not safe for mutation during a
 * search, which JavaScript's single thread rules out as long as `search` stays synchronous.
 */
export class Bm25Index {
  readonly parameters: Readonly<Bm25Parameters>;

  private readonly slotById = new Map<string, number>();
  private readonly text = new Bm25Field();
  private readonly title = new Bm25Field();
  // Per-slot columns; `alive[slot]` is 0 for a replaced document (and past the last slot).
  private ids: string[] = [];
  private titles: (string | undefined)[] = [];
  private texts: string[] = [];
  private alive: Uint8Array = new Uint8Array(1_024);
  private liveCount = 0;
  private deadCount = 0;

  private currentGeneration = ++lastGeneration;
  // Question text → its terms and ranking at FUSION_DEPTH, valid for `questionGeneration` only.
  // The terms too: both recalls of a query ask the same question, and tokenizing it is not free.
  private readonly questions = new Map<string, QuestionMemo>();
  // The buffers questions' textScores are kept in, taken in turn (the oldest holder lets go).
  private readonly textScoresBuffers: TextScores[] = [];
  private textScoresTurn = 0;
  private questionGeneration = 0;

  // Search scratch space, grown with the slot count and reset after each search.
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);

  constructor(parameters: Partial<Bm25Parameters> = {}) {
    const p = { ...DEFAULT_BM25_PARAMETERS, ...parameters };
    if (!(Number.isFinite(p.k1) && p.k1 >= 0)) throw new RangeError(`BM25 k1 must be a finite number >= 0, got ${p.k1}`);
    if (!(Number.isFinite(p.b) && p.b >= 0 && p.b <= 1)) throw new RangeError(`BM25 b must be between 0 and 1, got ${p.b}`);
    if (!(Number.isFinite(p.titleWeight) && p.titleWeight >= 0)) throw new RangeError(`BM25 titleWeight must be a finite number >= 0, got ${p.titleWeight}`);
    this.parameters = Object.freeze(p);
  }

  /** Number of (live) documents. */
  get size(): number {
    return this.liveCount;
  }

  /** Number of distinct terms of the whole-text field with at least one live document. */
  get termCount(): number {
    return this.text.termCount;
  }

  /**
   * Changes with every change to the documents (add, replace, or any other mutation, which must
   * bump it) and never repeats, in this index or any other of the process: two searches with the
   * same generation see the same documents. Keys the retriever's result cache.
   */
  get generation(): number {
    return this.currentGeneration;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  /** Adds a document, or replaces the one with the same id (its old terms and length no longer count). */
  upsert(doc: IndexableDocument): UpsertResult {
    const previous = this.slotById.get(doc.id);
    this.currentGeneration = ++lastGeneration;
    if (previous !== undefined) this.retire(previous);

    const slot = this.ids.length;
    const terms = this.termsOf(doc);
    this.text.add(slot, terms.text);
    this.title.add(slot, terms.title);
    this.ids.push(doc.id);
    this.titles.push(doc.title);
    this.texts.push(doc.text);
    if (slot >= this.alive.length) {
      const grown = new Uint8Array(this.alive.length * 2);
      grown.set(this.alive);
      this.alive = grown;
    }
    this.alive[slot] = 1;
    this.slotById.set(doc.id, slot);
    this.liveCount++;

    if (this.deadCount >= COMPACTION_MIN_DEAD && this.deadCount > this.liveCount) this.compact();
    return previous === undefined ? "added" : "replaced";
  }

  /** Removes a document; false when no document has this id. Its postings stay until compaction. */
  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    this.currentGeneration = ++lastGeneration;
    this.retire(slot);
    this.slotById.delete(id);
    if (this.deadCount >= COMPACTION_MIN_DEAD && this.deadCount > this.liveCount) this.compact();
    return true;
  }

  /**
   * The `topn` best documents for `query`, best first; equal scores in id order. Empty when no term
   * matches. With an expansion fused by "rrf", scores are reciprocal-rank-fusion scores (see fuse).
   */
  search(query: string | SearchQuery, topn: number): Document[] {
    const { text, expansion } = typeof query === "string" ? { text: query, expansion: undefined } : query;
    if (topn < 1 || this.liveCount === 0) return [];
    const question = this.question(text);
    if (!expansion) return this.documentsOf(this.questionRanking(question, topn).slice(0, topn));
    const draftTerms = expansionTerms(question.terms, expansion, (term) => this.text.idf(term, this.liveCount));
    const expanded = weighTerms(draftTerms, expansion.weight, weighTerms(question.terms));
    if (expansion.fusion !== "rrf") return this.documentsOf(this.rank(expanded, topn, this.continuing(question, draftTerms, expansion.weight)));
    const depth = Math.max(topn, FUSION_DEPTH);
    const questionRanking = this.questionRanking(question, depth);
    const rankings = [questionRanking, this.rank(expanded, depth, this.continuing(question, draftTerms, expansion.weight))];
    return this.documentsOf(fuse(rankings, [FUSION_QUESTION_WEIGHT, 1], this.ids, topn));
  }

  /** The memo of a question for the current generation, made (its terms) if missing. */
  private question(text: string): QuestionMemo {
    if (this.questionGeneration !== this.currentGeneration) {
      this.questions.clear();
      for (const held of this.textScoresBuffers) held.owner = undefined;
      this.questionGeneration = this.currentGeneration;
    }
    let question = this.questions.get(text);
    if (question === undefined) {
      question = { terms: tokenize(text), ranking: undefined, textScores: undefined };
      if (this.questions.size >= QUESTION_MEMO_ENTRIES) this.questions.delete(this.questions.keys().next().value!);
      this.questions.set(text, question);
    }
    return question;
  }

  /**
   * The question's ranking, at least `depth` deep (FUSION_DEPTH when that is enough, remembered for
   * the current generation; deeper ones afresh). Shared: do not mutate.
   */
  private questionRanking(question: QuestionMemo, depth: number): Ranked[] {
    if (depth > FUSION_DEPTH) return this.rank(weighTerms(question.terms), depth);
    return (question.ranking ??= this.rank(weighTerms(question.terms), FUSION_DEPTH, undefined, question));
  }

  /**
   * Keeps the scores of the `count` slots first in `touched` as `question`'s whole-text scores, in
   * the next buffer in turn (its previous holder lets go of it).
   */
  private hold(question: QuestionMemo, count: number): void {
    if (count > TEXT_SCORES_MAX_SLOTS) return;
    const turn = this.textScoresTurn;
    this.textScoresTurn = (turn + 1) % TEXT_SCORES_HELD;
    let held = this.textScoresBuffers[turn];
    if (held === undefined) {
      held = { slots: new Int32Array(0), scores: new Float64Array(0), count: 0, owner: undefined };
      this.textScoresBuffers[turn] = held;
    }
    if (held.owner !== undefined) held.owner.textScores = undefined;
    if (held.slots.length < count) {
      const capacity = Math.min(TEXT_SCORES_MAX_SLOTS, Math.max(count, held.slots.length * 2, 1_024));
      held.slots = new Int32Array(capacity);
      held.scores = new Float64Array(capacity);
    }
    const { slots, scores } = held;
    for (let i = 0; i < count; i++) {
      const slot = this.touched[i]!;
      slots[i] = slot;
      scores[i] = this.scores[slot]!;
    }
    held.count = count;
    held.owner = question;
    question.textScores = held;
  }

  /** Where an expanded ranking can start from: the question's held whole-text scores, then the draft's terms. */
  private continuing(question: QuestionMemo, draftTerms: readonly string[], weight: number): Continuation | undefined {
    return question.textScores === undefined ? undefined : { start: question.textScores, rest: weighTerms(draftTerms, weight) };
  }

  /**
   * The `depth` best slots for weighted terms, best first (ties in id order), with their BM25 scores.
   * With `from`, the whole-text field starts from `from.start` (the scores of the leading terms of
   * `terms`) and scores only `from.rest` (the others, in order). The whole-text scores, before the
   * title's are added, are held for `holder` (see hold).
   */
  private rank(terms: ReadonlyMap<string, number>, depth: number, from?: Continuation, holder?: QuestionMemo): Ranked[] {
    if (terms.size === 0) return [];
    this.ensureScratch();
    const n = this.liveCount;
    const buffer: ScoreBuffer = { scores: this.scores, touched: this.touched, touchedCount: 0, alive: this.alive };
    const { k1, b, titleWeight } = this.parameters;
    if (from === undefined) this.text.score(terms, 1, n, { k1, b }, buffer);
    else {
      const { slots, scores, count } = from.start;
      for (let i = 0; i < count; i++) this.scores[slots[i]!] = scores[i]!;
      this.touched.set(slots.subarray(0, count));
      buffer.touchedCount = count;
      this.text.score(from.rest, 1, n, { k1, b }, buffer);
    }
    if (holder !== undefined) this.hold(holder, buffer.touchedCount);
    if (titleWeight > 0) this.title.score(terms, titleWeight, n, { k1, b }, buffer);

    const { scores, touched } = this;
    const best = topK(touched, buffer.touchedCount, depth, scores, this.ids).map((slot) => ({ slot, score: scores[slot]! }));
    for (let i = 0; i < buffer.touchedCount; i++) scores[touched[i]!] = 0;
    return best;
  }

  private documentsOf(ranked: readonly Ranked[]): Document[] {
    return ranked.map(({ slot, score }) => this.documentAt(slot, score));
  }

  private documentAt(slot: number, score: number): Document {
    const title = this.titles[slot];
    const text = this.texts[slot]!;
    const id = this.ids[slot]!;
    return title === undefined ? { id, score, text } : { id, score, title, text };
  }

  private termsOf(doc: IndexableDocument): DocumentTerms {
    const text = tokenize(doc.title === undefined ? doc.text : `${doc.title}\n${doc.text}`);
    const title = doc.title === undefined || this.parameters.titleWeight === 0 ? [] : tokenize(doc.title);
    return { text, title };
  }

  /** Takes a replaced document out of every statistic; its postings stay until compaction. */
  private retire(slot: number): void {
    // Re-tokenising the stored text costs a little CPU on replacement but no per-document term list in memory.
    const terms = this.termsOf({ id: this.ids[slot]!, title: this.titles[slot], text: this.texts[slot]! });
    this.text.retire(slot, terms.text);
    this.title.retire(slot, terms.title);
    this.alive[slot] = 0;
    this.titles[slot] = undefined;
    this.texts[slot] = "";
    this.liveCount--;
    this.deadCount++;
  }

  /** Renumbers live slots densely and drops dead postings. O(slots + postings). */
  private compact(): void {
    const newSlot = new Int32Array(this.ids.length).fill(DEAD);
    const ids: string[] = [];
    const titles: (string | undefined)[] = [];
    const texts: string[] = [];
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (!this.alive[slot]) continue;
      newSlot[slot] = ids.length;
      this.slotById.set(this.ids[slot]!, ids.length);
      ids.push(this.ids[slot]!);
      titles.push(this.titles[slot]);
      texts.push(this.texts[slot]!);
    }
    for (const field of [this.text, this.title]) field.compact(newSlot, ids.length);
    this.ids = ids;
    this.titles = titles;
    this.texts = texts;
    this.alive = new Uint8Array(Math.max(ids.length, 1_024));
    this.alive.fill(1, 0, ids.length);
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
