import { tokenize } from "@kbalign/text";

/** Term → weight: each occurrence adds `weight` (a term repeated in a query counts once per occurrence). */
export function weighTerms(terms: readonly string[], weight = 1, into = new Map<string, number>()): Map<string, number> {
  for (const term of terms) into.set(term, (into.get(term) ?? 0) + weight);
  return into;
}

/** How a draft answer expands a question (see RetrieveExpansion in @kbalign/contracts). */
export interface Expansion {
  text: string;
  weight: number;
  maxTerms: number;
  /** "rrf": fuse the expanded ranking with the question's own (see Bm25Index.search); default "none". */
  fusion?: "none" | "rrf" | undefined;
}

/** What a search ranks: a question, optionally expanded by a draft answer. */
export interface SearchQuery {
  text: string;
  expansion?: Expansion | undefined;
}

/**
 * The draft's terms worth adding to a question: those the question lacks, each once, rarest first
 * (by `idf`, ties in term order), at most `maxTerms`. The rarest terms are the draft's topic; its
 * common words would pull in every document that shares them. Measured in docs/evaluation.md.
 */
export function expansionTerms(questionTerms: readonly string[], expansion: Expansion, idf: (term: string) => number): string[] {
  const question = new Set(questionTerms);
  const seen = new Set<string>();
  // Each novel term with its idf beside it, so that sorting looks nothing up.
  const rare: { term: string; idf: number }[] = [];
  for (const term of tokenize(expansion.text)) {
    if (seen.has(term) || question.has(term)) continue;
    seen.add(term);
    const rarity = idf(term);
    if (rarity > 0) rare.push({ term, idf: rarity });
  }
  rare.sort((a, b) => b.idf - a.idf || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  return rare.slice(0, expansion.maxTerms).map(({ term }) => term);
}
