import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import type { Degradation } from "@kbalign/contracts";
import type { StageTracer } from "@kbalign/pipeline";
import { REQUEST_ID_BAGGAGE_KEY } from "@kbalign/telemetry";
import {
  ATTR_ERROR_TYPE,
  ATTR_KBALIGN_ANSWER,
  ATTR_KBALIGN_ANSWER_CHARS,
  ATTR_KBALIGN_CONFIG_REVISION,
  ATTR_KBALIGN_KB_VERSION,
  ATTR_KBALIGN_DEGRADATION_FALLBACK,
  ATTR_KBALIGN_DOCUMENTS_COUNT,
  ATTR_KBALIGN_QUERY,
  ATTR_KBALIGN_REQUEST_ID,
  ATTR_KBALIGN_RETRY_ATTEMPT,
  ATTR_KBALIGN_RETRY_DELAY_MS,
  ATTR_KBALIGN_RETRY_TARGET,
  ATTR_KBALIGN_STAGE,
  EVENT_DEGRADED,
  EVENT_RETRY,
} from "./semconv.js";

export interface StageTracerOptions {
  tracer?: Tracer;
  /**
   * Record user content (the question, the answers) as `kbalign.query` / `kbalign.answer`:
   * KBALIGN_TRACE_CONTENT, off by default, for debugging only: traces then hold what users asked.
   */
  recordContent?: boolean;
}

/**
 * The pipeline's StageTracer over OpenTelemetry: an INTERNAL span named after the stage, child of
 * the active span (the query's `process kbalign.v1.query`), made the active context while the
 * stage calls its ports, so their `send` spans hang under it. Retries are span events; a failed
 * stage has status ERROR and `error.type` = the kbalign error code (its message is not recorded:
 * a backend's message may quote user text). The stage's context also carries the requestId as
 * baggage, so the retriever's and generator's log lines name it. With tracing off the API is a
 * no-op and so is this.
 */
export function createOtelStageTracer(options: StageTracerOptions = {}): StageTracer {
  const tracer = options.tracer ?? trace.getTracer("@kbalign/orchestrator");
  const recordContent = options.recordContent ?? false;
  return {
    startStage(stage, requestId, input) {
      const parent = context.active();
      const span = tracer.startSpan(
        stage,
        { kind: SpanKind.INTERNAL, attributes: { [ATTR_KBALIGN_STAGE]: stage, [ATTR_KBALIGN_REQUEST_ID]: requestId } },
        parent,
      );
      const baggage = (propagation.getBaggage(parent) ?? propagation.createBaggage()).setEntry(REQUEST_ID_BAGGAGE_KEY, { value: requestId });
      const active = propagation.setBaggage(trace.setSpan(parent, span), baggage);
      if (input.configRevision !== undefined) span.setAttribute(ATTR_KBALIGN_CONFIG_REVISION, input.configRevision);
      if (recordContent) span.setAttribute(ATTR_KBALIGN_QUERY, input.query);
      return {
        run: (fn) => context.with(active, fn),
        retrying(target, { attempt, delayMs, error }) {
          span.addEvent(EVENT_RETRY, {
            [ATTR_KBALIGN_RETRY_TARGET]: target,
            [ATTR_KBALIGN_RETRY_ATTEMPT]: attempt,
            [ATTR_KBALIGN_RETRY_DELAY_MS]: Math.round(delayMs),
            [ATTR_ERROR_TYPE]: error.code,
          });
        },
        end(error, result) {
          if (error) {
            span.setAttribute(ATTR_ERROR_TYPE, error.code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
          }
          if (result?.documents !== undefined) span.setAttribute(ATTR_KBALIGN_DOCUMENTS_COUNT, result.documents);
          if (result?.chars !== undefined) span.setAttribute(ATTR_KBALIGN_ANSWER_CHARS, result.chars);
          if (result?.kbVersion !== undefined) span.setAttribute(ATTR_KBALIGN_KB_VERSION, result.kbVersion);
          if (recordContent && result?.text !== undefined) span.setAttribute(ATTR_KBALIGN_ANSWER, result.text);
          span.end();
        },
      };
    },
  };
}

/** Records a degradation as an event on the active span (the query's), beside the failed stage's own error status. */
export function recordDegradation(degradation: Degradation): void {
  const attributes: Attributes = {
    [ATTR_KBALIGN_STAGE]: degradation.stage,
    [ATTR_ERROR_TYPE]: degradation.code,
    [ATTR_KBALIGN_DEGRADATION_FALLBACK]: degradation.fallback,
  };
  trace.getActiveSpan()?.addEvent(EVENT_DEGRADED, attributes);
}
