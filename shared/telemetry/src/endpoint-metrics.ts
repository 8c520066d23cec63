import { Histogram, type Registry } from "prom-client";
import { observeWithExemplar, supportsExemplars } from "./metrics-registry.js";

/** Matches @kbalign/nats' Outcome structurally, so telemetry does not depend on the NATS package. */
export interface EndpointOutcome {
  endpoint: string;
  durationSeconds: number;
  code: string;
}

/**
 * `kbalign_endpoint_duration_seconds{endpoint,code}`: time from receiving a NATS request to its
 * last reply, per endpoint and outcome code ("OK" or an error code). Its `_count` is the request rate.
 * The active span's trace id, if any, is the exemplar of the observation's bucket.
 */
export function createEndpointObserver(registry: Registry): (outcome: EndpointOutcome) => void {
  const histogram = new Histogram({
    name: "kbalign_endpoint_duration_seconds",
    help: "Time from receiving a NATS request to its last reply, by endpoint and outcome code.",
    labelNames: ["endpoint", "code"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    enableExemplars: supportsExemplars(registry),
    registers: [registry],
  });
  return (outcome) => observeWithExemplar(histogram, { endpoint: outcome.endpoint, code: outcome.code }, outcome.durationSeconds);
}
