import type { GenerateRequest } from "@kbalign/contracts";

/** Why a generation ended, as OpenAI's `finish_reason` says it: "stop", "length", … */
export type FinishReason = string;

/**
 * Something that turns a generate request into text. It yields the answer in pieces, in order,
 * and returns its finish reason. It must stop promptly once `signal` aborts (throwing anything:
 * the caller reports the signal's reason) and throw kbalign errors (GenerationError, TimeoutError)
 * for its own failures.
 */
export interface GenerationBackend {
  /** Short, stable name: the `backend` label of metrics. */
  readonly name: string;
  generate(req: GenerateRequest, signal: AbortSignal): AsyncGenerator<string, FinishReason, undefined>;
}
