/**
 * Answer quality against reference answers (CMRC 2018 style).
 * - Hit@N: the first N characters of the answer, normalised, contain a normalised reference. It asks
 *   whether a reader who stops after N characters has seen the answer; N in code points, so a
 *   Chinese character counts one.
 * - F1: character-level F1 as the official CMRC 2018 evaluation computes it: the longest common
 *   *substring* of answer and reference is the overlap (precision = its length / answer length,
 *   recall = its length / reference length), the best over the references. Here on normalised
 *   characters for every language: the official script keeps runs of Latin letters and digits as
 *   nltk words, so for English text this is a character-level F1, not its word-level one.
 * Normalisation: NFKC, lower case, whitespace and punctuation (Unicode \p{P}) removed.
 */

/** Answer lengths (characters) at which Hit@N is measured. */
export const HIT_LENGTHS = [60, 120, 200, 400] as const;
export type HitLength = (typeof HIT_LENGTHS)[number];

export function normalizeAnswer(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[\s\p{P}]+/gu, "");
}

/** The first `n` code points of `text` (never half of a surrogate pair). */
export function firstChars(text: string, n: number): string {
  return Array.from(text).slice(0, n).join("");
}

/** Length in code points: what "characters" means in every answer metric. */
export const charLength = (text: string): number => Array.from(text).length;

/** References as normalised, the ones that normalise to nothing left out (they would match anything). */
export function normalizedReferences(references: readonly string[]): string[] {
  return references.map(normalizeAnswer).filter((reference) => reference !== "");
}

/** Whether the first `n` characters of `answer` contain one of the normalised references. */
export function hitWithin(answer: string, normalizedRefs: readonly string[], n: number): boolean {
  const seen = normalizeAnswer(firstChars(answer, n));
  return normalizedRefs.some((reference) => seen.includes(reference));
}

/** Length of the longest common substring of two code-point sequences (dynamic programming, one row). */
export function longestCommonSubstring(a: readonly string[], b: readonly string[]): number {
  let best = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const charA of a) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 0; j < b.length; j++) {
      if (charA === b[j]) {
        const run = (previous[j] ?? 0) + 1;
        current[j + 1] = run;
        if (run > best) best = run;
      }
    }
    previous = current;
  }
  return best;
}

/** CMRC 2018 F1 of one answer: the best over the (already normalised) references; 0 without any. */
export function charF1(answer: string, normalizedRefs: readonly string[]): number {
  const predicted = Array.from(normalizeAnswer(answer));
  let best = 0;
  for (const reference of normalizedRefs) {
    const expected = Array.from(reference);
    const overlap = longestCommonSubstring(predicted, expected);
    if (overlap === 0) continue;
    const precision = overlap / predicted.length;
    const recall = overlap / expected.length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

/** One answer scored against its references. */
export interface AnswerScore {
  /** Hit@N for each N of HIT_LENGTHS, and over the whole answer. */
  hits: Record<HitLength | "full", boolean>;
  f1: number;
}

export function scoreAnswer(answer: string, references: readonly string[]): AnswerScore {
  const refs = normalizedReferences(references);
  return {
    hits: {
      60: hitWithin(answer, refs, 60),
      120: hitWithin(answer, refs, 120),
      200: hitWithin(answer, refs, 200),
      400: hitWithin(answer, refs, 400),
      full: refs.some((reference) => normalizeAnswer(answer).includes(reference)),
    },
    f1: charF1(answer, refs),
  };
}

/** Answer metrics over the questions that have references. */
export interface AnswerSummary {
  /** Questions scored: those with at least one usable reference (failed requests included, as misses). */
  questions: number;
  /** Share of `questions` with a hit, for each answer length. */
  hitRate: Record<HitLength | "full", number>;
  /** Mean CMRC 2018 character F1 over `questions`. */
  f1: number;
  /** Mean final-answer length, in characters, over the questions answered (`done`). */
  meanAnswerChars: number;
}

export function summarizeAnswers(scored: ReadonlyArray<{ score: AnswerScore }>, answerLengths: readonly number[]): AnswerSummary {
  const rate = (key: HitLength | "full") => (scored.length === 0 ? 0 : scored.filter((s) => s.score.hits[key]).length / scored.length);
  return {
    questions: scored.length,
    hitRate: { 60: rate(60), 120: rate(120), 200: rate(200), 400: rate(400), full: rate("full") },
    f1: scored.length === 0 ? 0 : scored.reduce((sum, s) => sum + s.score.f1, 0) / scored.length,
    meanAnswerChars: answerLengths.length === 0 ? 0 : answerLengths.reduce((sum, n) => sum + n, 0) / answerLengths.length,
  };
}
