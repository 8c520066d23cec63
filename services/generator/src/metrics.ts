import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { createEndpointObserver, supportsExemplars, type EndpointOutcome } from "@kbalign/telemetry";

/** How one call to an LLM server ended. */
export type LlmOutcome = "ok" | "http_error" | "network_error" | "protocol_error" | "timeout" | "cancelled";

/** Every instrument the generator exports, declared once on the registry it is given. */
export interface GeneratorMetrics {
  /** `kbalign_generate_chunks_total{backend,purpose}`: chunk messages sent. */
  chunks: Counter<"backend" | "purpose">;
  /** `kbalign_generate_time_to_first_chunk_seconds{backend,purpose}`: request received → first chunk sent (trace-id exemplars: observe with `observeWithExemplar`). */
  timeToFirstChunk: Histogram<"backend" | "purpose">;
  /** `kbalign_llm_requests_total{outcome}`: calls to the OpenAI-compatible server. */
  llmRequests: Counter<"outcome">;
  /** `kbalign_llm_circuit_state{backend}`: 0 closed, 1 open, 2 half-open (one trial call), 3 held open by the server's Retry-After. */
  llmCircuitState: Gauge<"backend">;
  /** `kbalign_llm_short_circuits_total{backend}`: calls answered at once without the LLM because its circuit was open. */
  llmShortCircuits: Counter<"backend">;
  /** `kbalign_endpoint_duration_seconds{endpoint,code}` (shared instrument). */
  observeEndpoint: (outcome: EndpointOutcome) => void;
}

export function createGeneratorMetrics(registry: Registry): GeneratorMetrics {
  return {
    chunks: new Counter({
      name: "kbalign_generate_chunks_total",
      help: "Chunk messages of generated text sent, by backend and purpose.",
      labelNames: ["backend", "purpose"],
      registers: [registry],
    }),
    timeToFirstChunk: new Histogram({
      name: "kbalign_generate_time_to_first_chunk_seconds",
      help: "Time from receiving a generate request to sending its first chunk, by backend and purpose.",
      labelNames: ["backend", "purpose"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      enableExemplars: supportsExemplars(registry),
      registers: [registry],
    }),
    llmRequests: new Counter({
      name: "kbalign_llm_requests_total",
      help: "Requests to the OpenAI-compatible LLM server, by outcome.",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    llmCircuitState: new Gauge({
      name: "kbalign_llm_circuit_state",
      help: "State of the LLM backend's circuit breaker: 0 closed, 1 open, 2 half-open, 3 held open by Retry-After.",
      labelNames: ["backend"],
      registers: [registry],
    }),
    llmShortCircuits: new Counter({
      name: "kbalign_llm_short_circuits_total",
      help: "Generations refused at once, without calling the LLM, because its circuit was open.",
      labelNames: ["backend"],
      registers: [registry],
    }),
    observeEndpoint: createEndpointObserver(registry),
  };
}
