import { stemmer } from "stemmer";

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
// themselves (a vocabulary; the same retrieved documents, request after request): remember
// both. Bounded, so an endless stream of new text cannot grow them without limit.
const MEMO_LIMIT = 200_000;

function memoised<V>(compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) {
      value = compute(key);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, value);
    }
    return value;
  };
}

const stem = memoised(stemmer);

/** The words of a run of Han characters, function and question words dropped. */
const chineseTerms = memoised((run: string): readonly string[] => {
  const terms: string[] = [];
  for (const { segment, isWordLike } of chineseWords.segment(run)) {
    if (isWordLike && !CHINESE_STOP_WORDS.has(segment)) terms.push(segment);
  }
  return terms;
});

/**
 * Index and query terms of a text: NFKC-normalised, lower-cased words; English words without stop
 * words and Porter-stemmed, Chinese words segmented, without function words.
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const [run] of text.normalize("NFKC").toLowerCase().matchAll(RUNS)) {
    if (HAN.test(run)) {
      terms.push(...chineseTerms(run));
      continue;
    }
    const word = run.endsWith("'s") || run.endsWith("’s") ? run.slice(0, -2) : run;
    if (word.length === 0 || ENGLISH_STOP_WORDS.has(word)) continue;
    terms.push(/^[a-z]+$/.test(word) ? stem(word) : word);
  }
  return terms;
}
