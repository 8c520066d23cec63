import type { Degradation, KBAlignError, Stage } from "@kbalign/contracts";

export interface RetryNotice {
  requestId: string;
  target: "retrieve" | "generate";
  stage: Stage;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  error: KBAlignError;
}

export interface StageNotice {
  requestId: string;
  stage: Stage;
  durationMs: number;
  ok: boolean;
}

/**
 * Hooks for metrics and logs (the orchestrator counts retries and degradations through them).
 * Hooks run inline and must not throw: a throwing stage hook fails the request as INTERNAL, and a
 * throwing onError/onCleanupError is rethrown on a fresh task (an uncaught exception) rather than
 * cost the client its terminal event.
 */
export interface PipelineObserver {
  onRetry?(notice: RetryNotice): void;
  onStage?(notice: StageNotice): void;
  onDegraded?(notice: { requestId: string; degradation: Degradation }): void;
  /** The request ended with an error event. An INTERNAL error's `cause` holds what was thrown. */
  onError?(notice: { requestId: string; error: KBAlignError }): void;
  /** Closing a port's stream after the request had moved on failed. */
  onCleanupError?(notice: { requestId: string; error: unknown }): void;
}

/** Runs a hook on a path that must not throw; a hook's own failure surfaces as an uncaught exception. */
export function notifySafely(hook: () => void): void {
  try {
    hook();
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
