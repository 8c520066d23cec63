import type { ErrorCode } from "./errors.js";
import type { KBAlignError } from "./errors.js";

/**
 * What a client is told for each code whose text may hold internal detail: a provider's error
 * body, an LLM or NATS address, an internal subject, a stack. Those texts go to the logs only.
 */
const PUBLIC_TEXT: Partial<Record<ErrorCode, string>> = {
  TIMEOUT: "the answer did not come in time",
  UNAVAILABLE: "a service this answer needs is unavailable for now; try again",
  RETRIEVAL_FAILED: "searching the documents failed",
  GENERATION_FAILED: "the language model could not produce an answer",
  INTERNAL: "internal error",
};

/**
 * The message a client may see for `error`. BAD_REQUEST, COLLECTION_NOT_FOUND, OVERLOADED and
 * CANCELLED keep theirs: kbalign composes them from the client's own input and its own limits.
 * Every other code gets a fixed sentence in the user's terms.
 */
export function publicMessage(error: Pick<KBAlignError, "code" | "message">): string {
  return PUBLIC_TEXT[error.code] ?? error.message;
}
