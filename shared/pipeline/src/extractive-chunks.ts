import { extractiveAnswer, type ExtractiveDocument } from "@kbalign/text";

// Sentences ending in CJK punctuation or a Han character join with no space, as Chinese text does.
const CJK_END = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]$/u;

/**
 * The documents' best sentences for `query` (extractiveAnswer), as chunks that concatenate into
 * readable text: every chunk after the first carries its leading separator.
 */
export function extractiveChunks(query: string, documents: readonly ExtractiveDocument[], maxSentences: number): string[] {
  const sentences = extractiveAnswer(query, documents, { maxSentences });
  return sentences.map((sentence, i) => {
    const previous = sentences[i - 1];
    return previous === undefined || CJK_END.test(previous) ? sentence : ` ${sentence}`;
  });
}
