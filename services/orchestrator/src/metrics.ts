import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { supportsExemplars } from "@kbalign/telemetry";

// Seconds, 1 ms to the 30 s default deadline; dense around 100 ms (the latency target, whose
// `le="0.1"` bucket the latency SLO in observability/prometheus/ counts), coarse beyond.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Every instrument the orchestrator exports, declared once on the given registry. The latency
 * histograms keep the trace id of an observation as an exemplar when the registry can (the
 * services' OpenMetrics registry): observe them with `observeWithExemplar` from @kbalign/telemetry.
 */
export function createOrchestratorMetrics(registry: Registry) {
  const enableExemplars = supportsExemplars(registry);
  return {
    requests: new Counter({
      name: "kbalign_requests_total",
      help: "Query requests by outcome: OK, or the code of the terminal error event.",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    responseTime: new Histogram({
      name: "kbalign_response_time_seconds",
      help: "Whole query: time from receiving it to publishing its terminal event.",
      buckets: LATENCY_BUCKETS,
      enableExemplars,
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: "kbalign_stage_duration_seconds",
      help: "Time spent in each pipeline stage (recall, first_answer, query_expansion_recall, final_answer).",
      labelNames: ["stage"] as const,
      buckets: LATENCY_BUCKETS,
      enableExemplars,
      registers: [registry],
    }),
    timeToFirstEvent: new Histogram({
      name: "kbalign_time_to_first_event_seconds",
      help: "Queries that ran the pipeline: time from receiving the query to publishing its first event.",
      buckets: LATENCY_BUCKETS,
      enableExemplars,
      registers: [registry],
    }),
    timeToFirstData: new Histogram({
      name: "kbalign_time_to_first_data_seconds",
      help: "Queries that ran the pipeline: time from receiving the query to publishing its first data chunk of the final answer.",
      buckets: LATENCY_BUCKETS,
      enableExemplars,
      registers: [registry],
    }),
    degradations: new Counter({
      name: "kbalign_degradations_total",
      help: "Fallbacks taken instead of failing, by stage and the error code that caused them.",
      labelNames: ["stage", "code"] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: "kbalign_in_flight_requests",
      help: "Query requests being handled by this replica.",
      registers: [registry],
    }),
    admissionLimit: new Gauge({
      name: "kbalign_admission_limit",
      help: "Query requests this replica admits at once now (fixed, or adapting to the time to the first data chunk).",
      registers: [registry],
    }),
    retries: new Counter({
      name: "kbalign_retries_total",
      help: "Retries of failed calls, by target (retrieve, generate).",
      labelNames: ["target"] as const,
      registers: [registry],
    }),
    payloadCuts: new Counter({
      name: "kbalign_payload_cuts_total",
      help: "Messages made to fit NATS max_payload, by message (a stage event's state, generate_request) and fit (truncated, replaced, failed).",
      labelNames: ["message", "fit"] as const,
      registers: [registry],
    }),
    configRevision: new Gauge({
      name: "kbalign_config_revision",
      help: "Revision of the runtime configuration (KV bucket KBALIGN_CONFIG) in force; 0 when nothing was read from it.",
      registers: [registry],
    }),
    configRejected: new Counter({
      name: "kbalign_config_rejected_total",
      help: "Runtime configuration values refused as invalid (the last good value kept), by key.",
      labelNames: ["key"] as const,
      registers: [registry],
    }),
  };
}
export type OrchestratorMetrics = ReturnType<typeof createOrchestratorMetrics>;
