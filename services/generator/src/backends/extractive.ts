import type { GenerateRequest, Purpose } from "@kbalign/contracts";
import { defaultExtractiveLimits, extractiveChunks, noDocumentsAnswer, type ExtractiveOptions } from "@kbalign/text";
import { promptLanguage } from "../prompt.js";
import type { FinishReason, GenerationBackend } from "./backend.js";

export type ExtractiveLimits = Record<Purpose, ExtractiveOptions>;
export { defaultExtractiveLimits, noDocumentsAnswer };

/**
 * The default backend, needing no model: the extractive answer of @kbalign/text (the documents'
 * sentences that best answer the query, the very answerer the in-process pipeline uses), yielded one
 * sentence per piece. Concatenating the pieces gives the joined answer.
 */
export function createExtractiveBackend(limits: ExtractiveLimits = defaultExtractiveLimits): GenerationBackend {
  return {
    name: "extractive",
    async *generate(req: GenerateRequest, signal: AbortSignal): AsyncGenerator<string, FinishReason, undefined> {
      const purposeLimits = limits[req.purpose];
      // A request's own cap (the runtime configuration's extractive.finalMaxChars) wins.
      const chunks = extractiveChunks(req.query, req.documents, req.maxChars === undefined ? purposeLimits : { ...purposeLimits, maxChars: req.maxChars });
      if (chunks.length === 0) {
        yield noDocumentsAnswer[promptLanguage(req)];
        return "stop";
      }
      for (const chunk of chunks) {
        signal.throwIfAborted();
        yield chunk;
      }
      return "stop";
    },
  };
}
