import { detectLanguage, type Language } from "./language.js";
import { analyseSentences, titleTerms as termsOfTitle, type AnalysedSentence } from "./sentence-terms.js";
import { tokenize } from "./tokenize.js";

export interface ExtractiveDocument {
  text: string;
  title?: string | undefined;
}

export interface ExtractiveOptions {
  /** At most this many sentences in the answer (a sentence's antecedent comes on top). */
  maxSentences: number;
  /** Stop adding sentences once the answer is this long (characters). */
  maxChars?: number;
  /**
   * Leave out sentences scoring below this fraction of the best sentence's score (default 0.5):
   * a sentence sharing only one common word with the question is noise, not an answer.
   */
  minRelativeScore?: number;
}

/** Interrogatives (as tokenize stems them): they ask, they do not say what about. */
const QUESTION_WORDS = new Set(["what", "which", "who", "whom", "whose", "why", "how", "when", "where", "doe", "do", "did"]);

/** A sentence of the document at rank r weighs 1 / (1 + RANK_DECAY · r): retrieval order counts. */
const RANK_DECAY = 1;

/**
 * A question term found in its document's title counts this much: every sentence of the document is
 * about its title, so the sentence that answers is the one sharing the question's *other* words
 * ("How long is the Yangtze?" in the article "Yangtze": "long", not "Yangtze"). Measured on CMRC 2018
 * (docs/evaluation.md): gold answer in the first 120 characters 0.81 → 0.85.
 */
const TITLE_TERM_WEIGHT = 0.5;

/**
 * Sentences opening with these lean on the one before ("Its summit rises 5,895 m" needs
 * "Kilimanjaro is …"): an answer that uses one brings its antecedent along.
 */
const ANAPHOR = /^(?:(?:it|its|they|their|them|this|these|that|those|he|she|his|her|such)\b|[它其该此这那他她])/iu;

interface Candidate {
  sentence: string;
  doc: number;
  position: number;
  score: number;
}

/**
 * An answer made of the documents' own sentences, most relevant first. Each sentence is scored by
 * the inverse sentence frequency of the question's terms it contains (rarer shared terms weigh more;
 * terms of the document's title less), weighted down for lower-ranked documents; sentences far below
 * the best are left out. The best sentence leads, the others follow in reading order (document rank,
 * then position). A sentence that opens with a pronoun brings the sentence before it (or, first in
 * its document, the document's title), so that no answer loses its subject. With no sentence sharing
 * a term, the top document's first sentence is returned, so a grounded answer always exists when any
 * document does.
 */
export function extractiveAnswer(query: string, documents: readonly ExtractiveDocument[], options: ExtractiveOptions): string[] {
  const queryTerms = questionTerms(query);
  const candidates: Candidate[] = [];
  const termSets: (readonly string[])[] = [];
  const sentencesOf: (readonly AnalysedSentence[])[] = [];
  documents.forEach((document, doc) => {
    const sentences = analyseSentences(document.text);
    sentencesOf.push(sentences);
    sentences.forEach(({ text: sentence, terms, heading }, position) => {
      if (heading) return;
      candidates.push({ sentence, doc, position, score: 0 });
      termSets.push(terms);
    });
  });
  if (candidates.length === 0) return [];

  const titleTerms = documents.map((document) => termsOfTitle(document.title));
  // Each sentence's terms shared with the question, in the sentence's order (the order its score
  // sums them in): the only terms scoring reads, so the sentence's other terms are looked at once.
  const shared: (string[] | undefined)[] = new Array<string[] | undefined>(termSets.length);
  const df = new Map<string, number>();
  for (let i = 0; i < termSets.length; i++) {
    for (const term of termSets[i]!) {
      if (!queryTerms.has(term)) continue;
      (shared[i] ??= []).push(term);
      df.set(term, (df.get(term) ?? 0) + 1);
    }
  }
  const n = candidates.length;
  // Each shared term's inverse sentence frequency, once per answer rather than once per occurrence.
  const weights = new Map<string, number>();
  for (const [term, f] of df) weights.set(term, Math.log(1 + n / f));
  candidates.forEach((candidate, i) => {
    const inTitle = titleTerms[candidate.doc]!;
    let score = 0;
    for (const term of shared[i] ?? []) score += weights.get(term)! * (inTitle.has(term) ? TITLE_TERM_WEIGHT : 1);
    candidate.score = score / (1 + RANK_DECAY * candidate.doc);
  });

  const chosen = choose(candidates, options);
  if (chosen.length === 0) return [candidates[0]!.sentence];
  const [best, ...rest] = chosen;
  rest.sort((a, b) => a.doc - b.doc || a.position - b.position);
  return withAntecedents([best!, ...rest], documents, sentencesOf);
}

// Both answers of a query (the first and the final) score sentences against the same question: its
// terms are remembered for the last question asked. A Set only read, never handed out.
let lastQuery: string | undefined;
let lastQueryTerms: ReadonlySet<string> = new Set();

/** The question's terms without interrogatives, as a set. */
function questionTerms(query: string): ReadonlySet<string> {
  if (query !== lastQuery) {
    lastQueryTerms = new Set(tokenize(query).filter((term) => !QUESTION_WORDS.has(term)));
    lastQuery = query;
  }
  return lastQueryTerms;
}

/** The best-scoring sentences within the limits, best first, each text once. */
function choose(candidates: readonly Candidate[], options: ExtractiveOptions): Candidate[] {
  let best = 0;
  for (const candidate of candidates) if (candidate.score > best) best = candidate.score;
  const floor = best * (options.minRelativeScore ?? 0.5);
  // Only sentences scoring above 0 and at least `floor` can be chosen: the rest are not sorted.
  const ranked = candidates
    .filter((candidate) => candidate.score > 0 && candidate.score >= floor)
    .sort((a, b) => b.score - a.score || a.doc - b.doc || a.position - b.position);
  const seen = new Set<string>();
  const chosen: Candidate[] = [];
  let chars = 0;
  for (const candidate of ranked) {
    if (candidate.score <= 0 || candidate.score < floor || chosen.length >= options.maxSentences) break;
    if (seen.has(candidate.sentence)) continue;
    if (options.maxChars !== undefined && chosen.length > 0 && chars + candidate.sentence.length > options.maxChars) break;
    seen.add(candidate.sentence);
    chosen.push(candidate);
    chars += candidate.sentence.length;
  }
  return chosen;
}

/** The chosen sentences, each anaphoric one preceded by its antecedent unless that is already in the answer. */
function withAntecedents(
  chosen: readonly Candidate[],
  documents: readonly ExtractiveDocument[],
  sentencesOf: readonly (readonly AnalysedSentence[])[],
): string[] {
  const included = new Set(chosen.map((c) => `${c.doc}:${c.position}`));
  const out: string[] = [];
  for (const candidate of chosen) {
    if (ANAPHOR.test(candidate.sentence)) {
      const previous = candidate.position > 0 ? sentencesOf[candidate.doc]![candidate.position - 1] : undefined;
      const key = `${candidate.doc}:${candidate.position - 1}`;
      if (previous !== undefined && !previous.heading && !included.has(key)) {
        out.push(previous.text);
        included.add(key);
      } else if (candidate.position === 0 && documents[candidate.doc]?.title) {
        out.push(titleLine(documents[candidate.doc]!.title!));
      }
    }
    out.push(candidate.sentence);
  }
  return out;
}

/** A title standing in for a sentence: "Title:" (or "标题：" in Chinese), so the next sentence reads on. */
const titleLine = (title: string): string => (detectLanguage(title) === "zh" ? `${title}：` : `${title}:`);

// Sentences ending in CJK punctuation or a Han character join with no space, as Chinese text does.
// Tested on the last code point alone: an end-anchored pattern is tried at every position of the sentence.
const CJK = /^[\p{Script=Han}\u3000-\u303f\uff00-\uffef]$/u;
const endsInCjk = (text: string): boolean => {
  const last = text.charCodeAt(text.length - 1);
  // A low surrogate after a high one: the last code point is the pair.
  const pair = last >= 0xdc00 && last <= 0xdfff && text.length >= 2 && (text.charCodeAt(text.length - 2) & 0xfc00) === 0xd800;
  return CJK.test(text.slice(pair ? -2 : -1));
};

/**
 * The extractive answer as chunks that concatenate into readable text: every chunk after the first
 * carries its leading separator (a space after an English sentence, nothing after a Chinese one).
 */
export function extractiveChunks(query: string, documents: readonly ExtractiveDocument[], options: ExtractiveOptions): string[] {
  const sentences = extractiveAnswer(query, documents, options);
  return sentences.map((sentence, i) => {
    const previous = sentences[i - 1];
    return previous === undefined || endsInCjk(previous) ? sentence : ` ${sentence}`;
  });
}

/** What the two kinds of answer may hold: the first answer only feeds query expansion, so it is short. */
export type ExtractivePurpose = "first_answer" | "final_answer";

export const defaultExtractiveLimits: Readonly<Record<ExtractivePurpose, ExtractiveOptions>> = Object.freeze({
  first_answer: { maxSentences: 2, maxChars: 400 },
  final_answer: { maxSentences: 5, maxChars: 1_500 },
});

/** The answer when no document was recalled: nothing to extract from, said in the question's language. */
export const noDocumentsAnswer: Readonly<Record<Language, string>> = Object.freeze({
  en: "No relevant documents were found, so this question cannot be answered from the knowledge base.",
  zh: "没有找到相关文档，无法根据知识库回答这个问题。",
});
