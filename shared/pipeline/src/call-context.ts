import type { Stage } from "@kbalign/contracts";
import type { KBAlignConfig } from "./config.js";
import type { PipelineObserver } from "./observer.js";
import type { RetryOptions } from "./retry.js";
import type { StageSpan } from "./stage-tracer.js";

/** What one port call of one stage runs under. */
export interface CallContext {
  requestId: string;
  stage: Stage;
  /** Aborts when the request (or this stage) is over. */
  signal: AbortSignal;
  /** Epoch ms: the request's deadline, or the stage's when it is shorter. */
  deadline: number;
  config: Readonly<KBAlignConfig>;
  observer: PipelineObserver;
  /** The stage's span: port calls run inside it, retries are recorded on it. */
  span: StageSpan;
}

/** Retry options of a call: the config's policy, bounded by the call's signal and deadline, reported to onRetry. */
export const retryOptions = (ctx: CallContext, target: "retrieve" | "generate"): RetryOptions => ({
  maxRetries: ctx.config.maxRetries,
  backoff: { baseDelayMs: ctx.config.retryBaseDelayMs, maxDelayMs: ctx.config.retryMaxDelayMs },
  signal: ctx.signal,
  deadline: ctx.deadline,
  onRetry: (info) => {
    ctx.span.retrying(target, info);
    ctx.observer.onRetry?.({ requestId: ctx.requestId, target, stage: ctx.stage, ...info });
  },
});
