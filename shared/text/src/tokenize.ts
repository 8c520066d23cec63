import { stemmer } from "stemmer";
import { ASCII_ONLY, asciiRuns } from "./ascii-runs.js";
import { BoundedMemo } from "./bounded-memo.js";

// Han text has no spaces: ICU's dictionary segmenter finds its words. Everything else is split
// by a regular expression, which is ~20x faster than the segmenter on Latin text.
const chineseWords = new Intl.Segmenter("zh", { granularity: "word" });
// A run of Han characters, or a word of other letters/digits, keeping inner apostrophes and dots
// ("earth's", "2.5", "u.s").
const RUNS = /\p{Script=Han}+|[[\p{L}\p{M}\p{N}]--\p{Script=Han}]+(?:['’.][[\p{L}\p{M}\p{N}]--\p{Script=Han}]+)*/gv;

/** Lucene's default English stop words, as used by the usual BM25 baselines (Anserini, Elasticsearch). */
const ENGLISH_STOP_WORDS = new Set(
  "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split(" "),
);

/** Function words and question words that carry no topic in Chinese text. */
const CHINESE_STOP_WORDS = new Set(
  ("的 了 是 在 和 与 及 也 都 而 就 或 被 把 这 那 之 其 着 从 对 等 个 中 有 为 以 于 吗 呢 吧 啊 " +
    "什么 哪 哪些 哪个 哪里 谁 怎么 怎样 如何 为什么 多少 几 是否").split(" "),
);

const HAN = /\p{Script=Han}/u;

// Stemming and dictionary segmentation are most of tokenizing's cost, and texts repeat
// themselves (a vocabulary; the same retrieved documents, request after request): remember both,
// in memos bounded by the heap bytes their entries take (BoundedMemo: one Map lookup per hit), so
// no stream of new text can grow them past STEM_MEMO_BYTES + HAN_MEMO_BYTES (48 MiB) per process. Tokenizing all of SciFact
// (29,500 distinct words) leaves 4 MiB of stems on the heap, all of CMRC 2018 (36,000 distinct Han
// runs) 13 MiB: the budgets hold a knowledge base's working vocabulary with room to spare, and
// stay small beside a service's heap.
const STEM_MEMO_BYTES = 16 * 1024 * 1024;
const HAN_MEMO_BYTES = 32 * 1024 * 1024;

// Only short keys repeat: words, and Han runs, which end at every punctuation mark (clauses: 99%
// of CMRC 2018's are 26 characters or fewer, the longest 55). A longer run is a paragraph written
// without punctuation, or made-up text, seen once: remembering it would push out runs that repeat.
const MEMO_MAX_KEY_LENGTH = 64;

// Heap bytes on 64-bit V8 (Node's build: 8-byte pointers), measured after gc(). A string is a
// 16-byte header plus 2 bytes per UTF-16 code unit (Latin-1 strings take 1: English is counted
// high), padded to 8; an array 48 bytes plus a pointer per element; a Map entry (counted high, with
// the table's growth slack) 128.
const STRING_BYTES = 24;
const ARRAY_BYTES = 48;
const POINTER_BYTES = 8;
const ENTRY_BYTES = 128;

const stringBytes = (text: string): number => STRING_BYTES + 2 * text.length;
const stringsBytes = (texts: readonly string[]): number =>
  texts.reduce((bytes, text) => bytes + POINTER_BYTES + stringBytes(text), ARRAY_BYTES);

/**
 * A copy of a string that shares no memory with the text it was cut from. V8 keeps a substring of
 * 13 or more characters as a view holding its whole parent alive, so a remembered 20-character run
 * would keep all 80 KB of the 40,000-character query it came from. Slicing a concatenation makes
 * V8 copy the characters first: the result is (a view of) a fresh string one character longer.
 */
function detached(text: string): string {
  return ` ${text}`.slice(1);
}

/**
 * `compute`, remembering its results for keys of up to MEMO_MAX_KEY_LENGTH characters, the least
 * used first out once their estimated heap bytes would pass `maxBytes` (see BoundedMemo).
 */
function memoised<V extends object | string>(
  compute: (key: string) => V,
  { maxBytes, valueBytes }: { maxBytes: number; valueBytes: (value: V) => number },
): (key: string) => V {
  // The key is a detached copy and a view of it: two string headers.
  const memo = new BoundedMemo<V>(maxBytes, (key, value) => ENTRY_BYTES + STRING_BYTES + stringBytes(key) + valueBytes(value));
  return (key) => {
    if (key.length > MEMO_MAX_KEY_LENGTH) return compute(key);
    let value = memo.get(key);
    if (value === undefined) {
      const ownKey = detached(key);
      value = compute(ownKey);
      memo.set(ownKey, value);
    }
    return value;
  };
}

const stem = memoised(stemmer, { maxBytes: STEM_MEMO_BYTES, valueBytes: stringBytes });

/** The words of a run of Han characters, function and question words dropped. */
const chineseTerms = memoised(
  (run: string): readonly string[] => {
    const terms: string[] = [];
    for (const { segment, isWordLike } of chineseWords.segment(run)) {
      if (isWordLike && !CHINESE_STOP_WORDS.has(segment)) terms.push(segment);
    }
    // An array grown by push keeps room for 16 more elements (136 bytes); a slice has none.
    return terms.slice();
  },
  { maxBytes: HAN_MEMO_BYTES, valueBytes: stringsBytes },
);

/**
 * Index and query terms of a text: NFKC-normalised, lower-cased words; English words without stop
 * words and Porter-stemmed, Chinese words segmented, without function words.
 *
 * Stems and segmentations of words and Han runs of up to 64 characters are remembered in memos
 * bounded to 48 MiB of heap per process in all (16 MiB stems, 32 MiB Han runs).
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  // ASCII is its own NFKC form, and holds no Han: its words by a plain scan (see asciiRuns).
  if (ASCII_ONLY.test(text)) {
    for (const run of asciiRuns(text.toLowerCase())) addWord(run, terms);
    return terms;
  }
  for (const [run] of text.normalize("NFKC").toLowerCase().matchAll(RUNS)) {
    if (HAN.test(run)) terms.push(...chineseTerms(run));
    else addWord(run, terms);
  }
  return terms;
}

/** Adds the term of a (lower-cased, non-Han) word: possessive stripped, stemmed; none for a stop word. */
function addWord(run: string, terms: string[]): void {
  const word = run.endsWith("'s") || run.endsWith("’s") ? run.slice(0, -2) : run;
  if (word.length === 0 || ENGLISH_STOP_WORDS.has(word)) return;
  terms.push(/^[a-z]+$/.test(word) ? stem(word) : word);
}
