// The waits on each signal, run by one "abort" listener per signal: a request waits a dozen times
// on a few signals, and Node's EventTarget add/removeEventListener per wait cost more than the wait
// (~8% of the pipeline's own CPU per query). A Set's add and delete are cheap.
const waits = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` (not yet aborted) aborts; the Set returned drops it with delete. */
function onAbort(signal: AbortSignal, callback: () => void): Set<() => void> {
  let callbacks = waits.get(signal);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    waits.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        waits.delete(signal);
        for (const waiting of set) waiting();
      },
      { once: true },
    );
    callbacks = set;
  }
  callbacks.add(callback);
  return callbacks;
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as it aborts. The losing
 * promise keeps running and its outcome is dropped: this has subscribed to it, so a late
 * rejection is not reported as unhandled. This is what keeps a request from hanging on a port that
 * ignores its signal.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  // Already aborted: the reason, unless the promise has settled already (it was subscribed first).
  if (signal.aborted) return Promise.race([promise, Promise.reject(signal.reason as Error)]);
  return new Promise<T>((resolve, reject) => {
    const rejectWithReason = (): void => reject(signal.reason);
    const waiting = onAbort(signal, rejectWithReason);
    promise.then(
      (value) => {
        waiting.delete(rejectWithReason);
        resolve(value);
      },
      (error: unknown) => {
        waiting.delete(rejectWithReason);
        reject(error);
      },
    );
  });
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
  let timer: NodeJS.Timeout | undefined;
  const dispose = () => {
    clearTimeout(timer);
    parent?.removeEventListener("abort", onParentAbort);
  };
  // The controller is never handed out, so every abort is one of these: each disposes first, where
  // a listener on the signal did (one more listener per signal, and this is made per stage and attempt).
  const abortWith = (reason: unknown) => {
    dispose();
    controller.abort(reason);
  };
  const onParentAbort = () => abortWith(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else {
    parent?.addEventListener("abort", onParentAbort, { once: true });
    timer = setTimeout(() => abortWith(onTimeout()), Math.max(0, deadline - Date.now()));
  }
  return {
    signal: controller.signal,
    deadline,
    abort: (reason) => {
      if (!controller.signal.aborted) abortWith(reason);
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
