import { stemmer } from "stemmer";

// One ICU word segmenter serves both scripts: Latin text breaks at spaces and punctuation, Han
// text (no spaces) is segmented into words with ICU's dictionary.
const words = new Intl.Segmenter("zh", { granularity: "word" });

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

/**
 * Index and query terms of a text: NFKC-normalised, lower-cased words; English words without stop
 * words and Porter-stemmed, Chinese words segmented, without function words.
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const { segment, isWordLike } of words.segment(text.normalize("NFKC").toLowerCase())) {
    if (!isWordLike) continue;
    if (HAN.test(segment)) {
      if (!CHINESE_STOP_WORDS.has(segment)) terms.push(segment);
      continue;
    }
    const word = segment.endsWith("'s") || segment.endsWith("’s") ? segment.slice(0, -2) : segment;
    if (word.length === 0 || ENGLISH_STOP_WORDS.has(word)) continue;
    terms.push(/^[a-z]+$/.test(word) ? stemmer(word) : word);
  }
  return terms;
}
