import { LRUCache } from "lru-cache";
import { splitSentences } from "./sentences.js";
import { tokenize } from "./tokenize.js";

/** A sentence of a document and its terms, as the extractive answerer scores it. */
export interface AnalysedSentence {
  readonly text: string;
  readonly terms: ReadonlySet<string>;
  /** A Markdown heading names a topic; it answers nothing. */
  readonly heading: boolean;
}

// Splitting a document into sentences and tokenizing them is most of an extractive answer's cost
// (~0.15 ms per SciFact abstract), and the same documents are recalled request after request: the
// analysis is remembered per document text, in an LRU cache bounded by heap bytes. Documents longer
// than ANALYSIS_MAX_TEXT_LENGTH are analysed afresh each time: few, and they would crowd out the rest.
const ANALYSIS_MEMO_BYTES = 32 * 1024 * 1024;
const ANALYSIS_MAX_TEXT_LENGTH = 20_000;

// Heap bytes on 64-bit V8, counted high: a string takes a 24-byte header and 2 bytes per UTF-16
// unit (a sentence is a view into its document, but count it whole); a Set ~64 bytes and ~40 per
// member (the member strings are the tokenizer's, shared); an object and an array slot ~64 bytes.
const stringBytes = (text: string): number => 24 + 2 * text.length;
const analysisBytes = (sentences: readonly AnalysedSentence[], text: string): number =>
  sentences.reduce((bytes, s) => bytes + 64 + stringBytes(s.text) + 64 + 40 * s.terms.size, 128 + stringBytes(text));

const memo = new LRUCache<string, readonly AnalysedSentence[]>({
  maxSize: ANALYSIS_MEMO_BYTES,
  sizeCalculation: (sentences, text) => analysisBytes(sentences, text),
});

/**
 * The sentences of a document (splitSentences) with their terms (tokenize), remembered for
 * documents seen before. The result is shared: do not mutate it.
 */
export function analyseSentences(text: string): readonly AnalysedSentence[] {
  const known = memo.get(text);
  if (known !== undefined) return known;
  const sentences = splitSentences(text).map((sentence) => ({
    text: sentence,
    terms: new Set(tokenize(sentence)),
    heading: /^#{1,6}\s/.test(sentence),
  }));
  if (text.length <= ANALYSIS_MAX_TEXT_LENGTH) memo.set(text, sentences);
  return sentences;
}
