import { BadRequestError, type QueryRequest } from "@kbalign/contracts";

/**
 * Per-deployment limits on a query, tighter than (or equal to) the protocol's: what a replica
 * agrees to work on. The protocol's own bounds (query 8000 characters, 100 messages of 32000,
 * topn 50) are checked first by the contract; these are the orchestrator's KBALIGN_MAX_* settings.
 */
export interface RequestLimits {
  maxQueryChars: number;
  maxHistoryMessages: number;
  maxMessageChars: number;
  maxTopn: number;
}

/** The protocol's bounds: a deployment that sets nothing accepts everything the contract does. */
export const PROTOCOL_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({ maxQueryChars: 8_000, maxHistoryMessages: 100, maxMessageChars: 32_000, maxTopn: 50 });

/** The BAD_REQUEST naming the first field over a limit, or undefined when the request is within them. */
export function checkRequestLimits(
  request: Pick<QueryRequest, "query" | "messages"> & { topn?: number | undefined },
  limits: RequestLimits,
): BadRequestError | undefined {
  if (request.query.length > limits.maxQueryChars) {
    return new BadRequestError(`query is ${request.query.length} characters, more than the limit of ${limits.maxQueryChars}`, "query");
  }
  if (request.messages.length > limits.maxHistoryMessages) {
    return new BadRequestError(`messages holds ${request.messages.length} messages, more than the limit of ${limits.maxHistoryMessages}`, "messages");
  }
  const long = request.messages.findIndex((m) => m.content.length > limits.maxMessageChars);
  if (long >= 0) {
    return new BadRequestError(`messages.${long}.content is longer than the limit of ${limits.maxMessageChars} characters`, `messages.${long}.content`);
  }
  // Absent: the default (query.defaultTopn) applies, which configuration keeps within 1–50.
  if (request.topn !== undefined && request.topn > limits.maxTopn) return new BadRequestError(`topn is ${request.topn}, more than the limit of ${limits.maxTopn}`, "topn");
  return undefined;
}
