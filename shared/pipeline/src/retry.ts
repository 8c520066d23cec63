import { toKBAlignError, type KBAlignError } from "@kbalign/contracts";
import { sleep } from "./abort.js";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** The failure being retried. */
  error: KBAlignError;
}

export interface RetryOptions {
  /** Retries on top of the first attempt. */
  maxRetries: number;
  backoff: BackoffPolicy;
  /** Aborting stops at once with the signal's reason (no further attempt). */
  signal: AbortSignal;
  /** Epoch ms: no retry is scheduled whose backoff would end at or past it. */
  deadline: number;
  onRetry?: (info: RetryInfo) => void;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, retrying failures whose `retryable` flag is set. Throws the
 * last failure as a KBAlignError (anything else becomes INTERNAL), or the signal's reason once it aborts.
 */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (options.signal.aborted) throw options.signal.reason;
      const error = toKBAlignError(err);
      if (!error.retryable || n >= options.maxRetries) throw error;
      const delayMs = backoffDelay(n, options.backoff, options.random);
      if (Date.now() + delayMs >= options.deadline) throw error;
      options.onRetry?.({ attempt: n + 1, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}
