// The two usual ways to index Chinese without a custom analyzer: character bigrams (as Lucene's
// CJKBigramFilter) and the dictionary word segmentation built into the runtime (ICU).

// A run of Han characters, or a word of other letters and digits.
const RUNS = /\p{Script=Han}+|[[\p{L}\p{M}\p{N}]--\p{Script=Han}]+/gv;
const HAN = /\p{Script=Han}/u;

function normalised(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** Overlapping character bigrams of each Han run (a lone character stays a unigram); other runs as words. */
export function characterBigrams(text: string): string[] {
  const terms: string[] = [];
  for (const [run] of normalised(text).matchAll(RUNS)) {
    if (!HAN.test(run)) {
      terms.push(run);
      continue;
    }
    // By code point, so a Han character outside the BMP is never split in half.
    const characters = Array.from(run);
    if (characters.length === 1) terms.push(run);
    for (let i = 0; i + 1 < characters.length; i++) terms.push(characters[i]! + characters[i + 1]!);
  }
  return terms;
}

const words = new Intl.Segmenter("zh", { granularity: "word" });

/** The word-like segments ICU's dictionary finds, with no stop-word list. */
export function segmenterWords(text: string): string[] {
  const terms: string[] = [];
  for (const { segment, isWordLike } of words.segment(normalised(text))) if (isWordLike) terms.push(segment);
  return terms;
}
