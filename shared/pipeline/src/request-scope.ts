import { CancelledError, KBAlignError, TimeoutError } from "@kbalign/contracts";
import { deadlineSignal } from "./abort.js";

/** The lifetime of one request: aborted by the caller's signal (CANCELLED) or its deadline (TIMEOUT). */
export interface RequestScope {
  /** Aborts with a CancelledError or TimeoutError; every port call and wait listens to it. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds. */
  readonly deadline: number;
  /** The error that ended the request, once cancelled or past its deadline; else undefined. */
  endedBy(): KBAlignError | undefined;
  /** Ends the scope (its signal aborts if it had not), releasing timer and listener. */
  close(): void;
}

// Closing a scope aborts its signal so that whatever still listens lets go; that reason reaches no
// caller (the run has ended), so one instance serves every request: building an Error, with its
// stack, per request was 3% of a query's CPU in the profile.
const REQUEST_ENDED = new CancelledError("request ended");

export function createRequestScope(timeoutMs: number, cancel?: AbortSignal): RequestScope {
  const deadline = Date.now() + timeoutMs;
  const timeout = () => new TimeoutError(`request did not finish within ${timeoutMs} ms`);
  const scope = deadlineSignal(undefined, deadline, timeout);
  // The caller's reason may be anything (an AbortSignal's default is a DOMException); the run
  // reports a kbalign error, keeping the caller's own when it is one.
  const onCancel = () => scope.abort(cancel?.reason instanceof KBAlignError ? cancel.reason : new CancelledError("request cancelled"));
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener("abort", onCancel, { once: true });
  return {
    signal: scope.signal,
    deadline,
    endedBy() {
      if (scope.signal.aborted) return scope.signal.reason instanceof KBAlignError ? scope.signal.reason : new CancelledError("request cancelled");
      // The timer may lag the clock by a tick; the deadline is what counts.
      return Date.now() >= deadline ? timeout() : undefined;
    },
    close() {
      cancel?.removeEventListener("abort", onCancel);
      scope.abort(REQUEST_ENDED);
      scope.dispose();
    },
  };
}
