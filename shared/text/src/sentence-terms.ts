import { BoundedMemo } from "./bounded-memo.js";
import { splitSentences } from "./sentences.js";
import { tokenize } from "./tokenize.js";

/** A sentence of a document and its terms, as the extractive answerer scores it. */
export interface AnalysedSentence {
  readonly text: string;
  /** The sentence's distinct terms, in the order they first occur. */
  readonly terms: readonly string[];
  /** A Markdown heading names a topic; it answers nothing. */
  readonly heading: boolean;
}

// Splitting a document into sentences and tokenizing them is most of an extractive answer's cost
// (~0.15 ms per SciFact abstract), and the same documents are recalled request after request: the
// analysis is remembered per document text, in a memo bounded by heap bytes. Documents longer than
// ANALYSIS_MAX_TEXT_LENGTH are analysed afresh each time: few, and they would crowd out the rest.
// Half the budget (one generation of the memo) holds every document of SciFact (5,183 abstracts:
// 26 MiB as counted below, 23 MiB of heap measured), so a knowledge base of that size is analysed
// once per process instead of being evicted and analysed again.
const ANALYSIS_MEMO_BYTES = 64 * 1024 * 1024;
const ANALYSIS_MAX_TEXT_LENGTH = 20_000;

// Heap bytes on 64-bit V8, counted high: the document text (the key) a 24-byte header and 2 bytes per
// UTF-16 unit, a Map entry 128; per sentence an object (48), its text (a view into the document: 32),
// and an array of its distinct terms (48 + a pointer each; the term strings are the tokenizer's,
// shared).
const analysisBytes = (text: string, sentences: readonly AnalysedSentence[]): number =>
  sentences.reduce((bytes, s) => bytes + 48 + 32 + 48 + 8 * s.terms.length, 128 + 24 + 2 * text.length);

const memo = new BoundedMemo<readonly AnalysedSentence[]>(ANALYSIS_MEMO_BYTES, analysisBytes);

/**
 * The sentences of a document (splitSentences) with their distinct terms (tokenize), remembered for
 * documents seen before. The result is shared: do not mutate it.
 */
export function analyseSentences(text: string): readonly AnalysedSentence[] {
  const known = memo.get(text);
  if (known !== undefined) return known;
  const sentences = splitSentences(text).map((sentence) => ({
    text: sentence,
    terms: [...new Set(tokenize(sentence))],
    heading: /^#{1,6}\s/.test(sentence),
  }));
  if (text.length <= ANALYSIS_MAX_TEXT_LENGTH) memo.set(text, sentences);
  return sentences;
}

// A title's terms, asked for every time its document is recalled: remembered like the analyses.
const TITLE_MEMO_BYTES = 8 * 1024 * 1024;
const NO_TERMS: ReadonlySet<string> = new Set();
// A Set ~64 bytes and ~40 per member, the title string and its Map entry as above.
const titleMemo = new BoundedMemo<ReadonlySet<string>>(TITLE_MEMO_BYTES, (title, terms) => 128 + 24 + 2 * title.length + 64 + 40 * terms.size);

/** The terms of a document's title (tokenize), as a set, remembered for titles seen before. Shared: do not mutate. */
export function titleTerms(title: string | undefined): ReadonlySet<string> {
  if (!title) return NO_TERMS;
  let terms = titleMemo.get(title);
  if (terms === undefined) {
    terms = new Set(tokenize(title));
    if (title.length <= ANALYSIS_MAX_TEXT_LENGTH) titleMemo.set(title, terms);
  }
  return terms;
}
