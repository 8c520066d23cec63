/** How long to wait before restarting a crashed process. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_RESTART_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 10_000, factor: 2 };

/**
 * The delay before restart number `attempt` (1 for the first crash in a row): exponential, capped,
 * so a process that crashes at start-up does not spin a core while one that crashed once comes
 * back at once.
 */
export function restartDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_RESTART_BACKOFF): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxMs, Math.round(policy.initialMs * policy.factor ** exponent));
}
