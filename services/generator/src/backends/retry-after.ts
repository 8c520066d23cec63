import { GenerationError } from "@kbalign/contracts";

/**
 * A failure the LLM server asked us to wait out (HTTP 429 or 503 with `Retry-After`): the circuit
 * breaker holds the backend open for `retryAfterMs` instead of calling it again sooner.
 */
export class ProviderBackoffError extends GenerationError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    retryable: boolean,
  ) {
    super(message, retryable);
  }
}

/**
 * Milliseconds to wait from a `Retry-After` header value: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would take "-5".
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
