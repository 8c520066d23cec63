import { GenerationError, RetrievalError, type Degradation, type Document, type KBAlignError, type Stage } from "@kbalign/contracts";
import { defaultExtractiveLimits, extractiveChunks } from "@kbalign/text";

/**
 * The fallback table of DESIGN.md ("Graceful degradation"), one named reason per row a pipeline
 * can recover from. A failure that ends the request (cancel, the request's own deadline) is never
 * degraded; see `runEnded` in stages.ts.
 */
export const degradationTable = {
  firstAnswerFailed: {
    when: "first-answer generation fails or times out",
    stage: "first_answer",
    fallback: "skipped query expansion",
  },
  expansionRecallFailed: {
    when: "second retrieval fails",
    stage: "query_expansion_recall",
    fallback: "final answer from the first recall",
  },
  finalAnswerFailed: {
    when: "final generation fails before any chunk",
    stage: "final_answer",
    fallback: "extractive answer from the recalled documents",
  },
  finalAnswerCut: {
    when: "final generation still streaming when the request's deadline nears",
    stage: "final_answer",
    fallback: "answer cut at the deadline",
  },
} as const satisfies Record<string, { when: string; stage: Stage; fallback: string }>;

export type DegradationReason = keyof typeof degradationTable;

/** The `done.degraded` entry for taking the fallback of `reason` because of `error`. */
export function degradation(reason: DegradationReason, error: KBAlignError): Degradation {
  const row = degradationTable[reason];
  return { stage: row.stage, code: error.code, fallback: row.fallback, message: error.message };
}

/**
 * The terminal error when the first retrieval fails: there is nothing to ground an answer on.
 * A missing collection and a bad request are the caller's to fix and keep their codes, as does
 * INTERNAL (a bug, not a retrieval failure; its text stays hidden); everything else is
 * RETRIEVAL_FAILED, retryable when the cause was (UNAVAILABLE, TIMEOUT, OVERLOADED, …).
 */
export function recallFailure(error: KBAlignError): KBAlignError {
  switch (error.code) {
    case "COLLECTION_NOT_FOUND":
    case "BAD_REQUEST":
    case "RETRIEVAL_FAILED":
    case "INTERNAL":
      return error;
    default:
      return new RetrievalError(`retrieval failed: ${error.message}`, error.retryable, { cause: error });
  }
}

/**
 * The terminal error when the final generation fails after chunks reached the client: they cannot
 * be taken back, so no fallback can follow them. Retryable: asking again may well succeed.
 */
export function brokenStreamFailure(error: KBAlignError, chunksSent: number): GenerationError {
  return new GenerationError(`generation failed after ${chunksSent} chunk(s): ${error.message}`, true, { cause: error });
}

/** The fallback of `finalAnswerFailed`: an extractive answer computed in-process, as chunks. */
export function extractiveFallback(query: string, documents: readonly Document[], sentences: number): string[] {
  return extractiveChunks(query, documents, { ...defaultExtractiveLimits.final_answer, maxSentences: sentences });
}
