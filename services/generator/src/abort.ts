/** setTimeout fires at once for delays above 2^31-1 ms (~24.8 days), so longer waits are clamped. */
const MAX_TIMER_MS = 2_147_483_647;

/** Milliseconds from now until `deadline` (epoch ms), at least 0, safe to pass to setTimeout. */
export function msUntil(deadline: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now()));
}

/**
 * Settles like `promise`, unless `signal` aborts first: then rejects with the signal's reason.
 * Lets a caller stop waiting on work that ignores the signal; the work itself is not stopped.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as unknown);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
