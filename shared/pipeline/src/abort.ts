/**
 * Settles like `promise`, or rejects with the signal's reason as soon as it aborts. The losing
 * promise keeps running and its outcome is dropped: Promise.race has subscribed to it, so a late
 * rejection is not reported as unhandled. This is what keeps a request from hanging on a port that
 * ignores its signal.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A signal that aborts with its parent (same reason) or at an absolute time (reason from `onTimeout`). */
export interface DeadlineSignal {
  readonly signal: AbortSignal;
  /** Epoch milliseconds. */
  readonly deadline: number;
  /** Aborts now with `reason` unless already aborted. */
  abort(reason: Error): void;
  /** Stops the timer and unlinks from the parent; the signal keeps its state. */
  dispose(): void;
}

export function deadlineSignal(parent: AbortSignal | undefined, deadline: number, onTimeout: () => Error): DeadlineSignal {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  let timer: NodeJS.Timeout | undefined;
  if (parent?.aborted) controller.abort(parent.reason);
  else {
    parent?.addEventListener("abort", onParentAbort, { once: true });
    timer = setTimeout(() => controller.abort(onTimeout()), Math.max(0, deadline - Date.now()));
  }
  const dispose = () => {
    clearTimeout(timer);
    parent?.removeEventListener("abort", onParentAbort);
  };
  controller.signal.addEventListener("abort", dispose, { once: true });
  return {
    signal: controller.signal,
    deadline,
    abort: (reason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    dispose,
  };
}

/** A controller that aborts with its parent (same reason), and can be aborted on its own. */
export interface LinkedController {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  /** Unlinks from the parent. */
  dispose(): void;
}

export function linkedController(parent: AbortSignal): LinkedController {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    dispose: () => parent.removeEventListener("abort", onParentAbort),
  };
}
