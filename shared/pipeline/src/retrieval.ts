import { TimeoutError, type RetrieveRequest } from "@kbalign/contracts";
import { abortable, deadlineSignal } from "./abort.js";
import { retryOptions, type CallContext } from "./call-context.js";
import type { Retrieval, RetrieverPort } from "./ports.js";
import { retry } from "./retry.js";

/**
 * One retrieval: each attempt limited to retrieveTimeoutMs (and the deadline), retryable failures
 * retried with backoff. At most `topn` documents come back, whatever the port returns.
 */
export function retrieveWithRetry(retriever: RetrieverPort, req: RetrieveRequest, ctx: CallContext): Promise<Retrieval> {
  const timeoutMs = ctx.config.retrieveTimeoutMs;
  return retry(async () => {
    const attempt = deadlineSignal(
      ctx.signal,
      Math.min(ctx.deadline, Date.now() + timeoutMs),
      () => new TimeoutError(`retrieve did not answer within ${timeoutMs} ms`),
    );
    try {
      const found = await abortable(
        ctx.span.run(() => retriever.retrieve(req, { signal: attempt.signal, timeoutMs: Math.max(1, attempt.deadline - Date.now()) })),
        attempt.signal,
      );
      const retrieval: Retrieval = Array.isArray(found) ? { docs: found } : found;
      return { ...retrieval, docs: retrieval.docs.slice(0, req.topn) };
    } finally {
      attempt.dispose();
    }
  }, retryOptions(ctx, "retrieve"));
}
