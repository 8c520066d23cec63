import type { GenerateRequest, Language, Purpose } from "@kbalign/contracts";
import { detectLanguage, extractiveAnswer } from "@kbalign/text";
import { promptLanguage } from "../prompt.js";
import type { FinishReason, GenerationBackend } from "./backend.js";

export interface SentenceLimits {
  maxSentences: number;
  maxChars: number;
}

export type ExtractiveLimits = Record<Purpose, SentenceLimits>;

/** The first answer only feeds query expansion, so it is short; the final answer is what the user reads. */
export const defaultExtractiveLimits: ExtractiveLimits = {
  first_answer: { maxSentences: 2, maxChars: 400 },
  final_answer: { maxSentences: 5, maxChars: 1_500 },
};

export const noDocumentsAnswer: Record<Language, string> = {
  en: "No relevant documents were found, so this question cannot be answered from the knowledge base.",
  zh: "没有找到相关文档，无法根据知识库回答这个问题。",
};

// An English sentence needs a space after it; a Chinese one ends in "。" and takes none. Decided per
// sentence, as the documents' language may differ from the query's.
const separatorAfter = (sentence: string): string => (detectLanguage(sentence) === "zh" ? "" : " ");

/**
 * The default backend, needing no model: the documents' sentences that best answer the query
 * (see extractiveAnswer in @kbalign/text), yielded one sentence per piece. Concatenating the pieces
 * gives the joined answer.
 */
export function createExtractiveBackend(limits: ExtractiveLimits = defaultExtractiveLimits): GenerationBackend {
  return {
    name: "extractive",
    async *generate(req: GenerateRequest, signal: AbortSignal): AsyncGenerator<string, FinishReason, undefined> {
      const sentences = extractiveAnswer(req.query, req.documents, limits[req.purpose]);
      if (sentences.length === 0) {
        yield noDocumentsAnswer[promptLanguage(req)];
        return "stop";
      }
      let previous: string | undefined;
      for (const sentence of sentences) {
        signal.throwIfAborted();
        yield previous === undefined ? sentence : separatorAfter(previous) + sentence;
        previous = sentence;
      }
      return "stop";
    },
  };
}
