import { splitSentences } from "./sentences.js";
import { tokenize } from "./tokenize.js";

export interface ExtractiveDocument {
  text: string;
  title?: string;
}

export interface ExtractiveOptions {
  /** At most this many sentences in the answer. */
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
const RANK_DECAY = 0.5;

interface Candidate {
  sentence: string;
  doc: number;
  position: number;
  score: number;
}

/**
 * An answer made of the documents' own sentences: each sentence is scored by the inverse sentence
 * frequency of the question's terms it contains (rarer shared terms weigh more), weighted down
 * for lower-ranked documents; sentences far below the best are left out. The best are returned
 * in reading order (document rank, then position). With no sentence sharing a term, the top document's first sentence is returned,
 * so a grounded answer always exists when any document does.
 */
export function extractiveAnswer(query: string, documents: readonly ExtractiveDocument[], options: ExtractiveOptions): string[] {
  const queryTerms = new Set(tokenize(query).filter((term) => !QUESTION_WORDS.has(term)));
  const candidates: Candidate[] = [];
  const termSets: Set<string>[] = [];
  documents.forEach((document, doc) => {
    splitSentences(document.text).forEach((sentence, position) => {
      // A Markdown heading names a topic; it answers nothing.
      if (/^#{1,6}\s/.test(sentence)) return;
      candidates.push({ sentence, doc, position, score: 0 });
      termSets.push(new Set(tokenize(sentence)));
    });
  });
  if (candidates.length === 0) return [];

  const df = new Map<string, number>();
  for (const terms of termSets) for (const term of terms) if (queryTerms.has(term)) df.set(term, (df.get(term) ?? 0) + 1);
  const n = candidates.length;
  candidates.forEach((candidate, i) => {
    let score = 0;
    for (const term of termSets[i] ?? []) {
      const f = df.get(term);
      if (f !== undefined) score += Math.log(1 + n / f);
    }
    candidate.score = score / (1 + RANK_DECAY * candidate.doc);
  });

  const seen = new Set<string>();
  const chosen: Candidate[] = [];
  let chars = 0;
  const ranked = [...candidates].sort((a, b) => b.score - a.score);
  const floor = (ranked[0]?.score ?? 0) * (options.minRelativeScore ?? 0.5);
  for (const candidate of ranked) {
    if (candidate.score <= 0 || candidate.score < floor || chosen.length >= options.maxSentences) break;
    if (seen.has(candidate.sentence)) continue;
    if (options.maxChars !== undefined && chosen.length > 0 && chars + candidate.sentence.length > options.maxChars) break;
    seen.add(candidate.sentence);
    chosen.push(candidate);
    chars += candidate.sentence.length;
  }
  if (chosen.length === 0) return [candidates[0]!.sentence];
  return chosen.sort((a, b) => a.doc - b.doc || a.position - b.position).map((c) => c.sentence);
}
