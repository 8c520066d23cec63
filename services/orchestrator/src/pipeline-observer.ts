import { observeWithExemplar, type Logger } from "@kbalign/telemetry";
import type { PipelineObserver } from "@kbalign/pipeline";
import type { OrchestratorMetrics } from "./metrics.js";
import { recordDegradation } from "./stage-tracer.js";

/** Turns the pipeline's hooks into metrics, logs and span events (sizes and codes, never texts). */
export function createPipelineObserver(metrics: OrchestratorMetrics, log: Logger): PipelineObserver {
  return {
    onRetry({ requestId, target, stage, attempt, delayMs, error }) {
      metrics.retries.inc({ target });
      log.debug({ requestId, target, stage, attempt, delayMs, code: error.code }, "retrying");
    },
    onStage({ stage, durationMs }) {
      observeWithExemplar(metrics.stageDuration, { stage }, durationMs / 1000);
    },
    onDegraded({ requestId, degradation }) {
      metrics.degradations.inc({ stage: degradation.stage, code: degradation.code });
      // With its full message: the client sees only a public one (see public-event.ts).
      log.warn({ requestId, degradation }, "degraded");
      recordDegradation(degradation);
    },
    onError({ requestId, error }) {
      // INTERNAL hides its cause from the client; this is where the stack is kept.
      if (error.code === "INTERNAL") log.error({ requestId, err: error.cause ?? error }, "request failed");
      else log.info({ requestId, code: error.code, retryable: error.retryable, detail: error.message }, "request ended with an error");
    },
    onCleanupError({ requestId, error }) {
      log.warn({ requestId, err: error }, "closing a port stream failed");
    },
  };
}
