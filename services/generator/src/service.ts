import { GenerateRequest, instanceSubject, ServiceNames, Subjects } from "@kbalign/contracts";
import { bodyBudget, serveStreamEndpoint, Svcm, type NatsConnection, type Outcome, type Service } from "@kbalign/nats";
import type { Logger } from "@kbalign/telemetry";
import type { GenerationBackend } from "./backends/backend.js";
import type { Cancellations } from "./cancellations.js";
import { createGenerateHandler } from "./generate-handler.js";
import type { GeneratorMetrics } from "./metrics.js";

export const GENERATOR_VERSION = "0.1.0";

/**
 * Bytes of a message's budget kept beside a chunk's text for its envelope: the chunk's own fields,
 * and the larger `data` event the orchestrator makes of it (requestId up to 128 characters).
 */
const CHUNK_ENVELOPE_ALLOWANCE_BYTES = 1024;

export interface GeneratorServiceDeps {
  nc: NatsConnection;
  backend: GenerationBackend;
  cancellations: Cancellations;
  metrics: GeneratorMetrics;
  log: Logger;
  instance?: string;
  maxInFlight?: number;
}

/** Registers micro service "kbalign-generator" with its `generate` endpoint (queue group: the service default). */
export async function addGeneratorService(deps: GeneratorServiceDeps): Promise<Service> {
  const service = await new Svcm(deps.nc).add({
    name: ServiceNames.generator,
    version: GENERATOR_VERSION,
    description: "kbalign answer generation, streamed",
    metadata: { backend: deps.backend.name, ...(deps.instance ? { instance: deps.instance } : {}) },
  });
  const handle = createGenerateHandler({
    backend: deps.backend,
    log: deps.log,
    metrics: deps.metrics,
    cancellations: deps.cancellations,
    maxChunkTextBytes: () => bodyBudget(deps.nc) - CHUNK_ENVELOPE_ALLOWANCE_BYTES,
    ...(deps.maxInFlight === undefined ? {} : { maxInFlight: deps.maxInFlight }),
  });
  // The shared subject (queue group) and this replica's own, where a caller sends what it wants
  // this replica to answer (a retry avoiding another replica).
  for (const [name, subject] of [
    ["generate", Subjects.generate],
    ["generate-instance", instanceSubject(Subjects.generate, service.info().id)],
  ] as const) {
    // One series per operation in the metrics, whichever subject the call came by.
    const observe = (outcome: Outcome) => deps.metrics.observeEndpoint({ ...outcome, endpoint: "generate" });
    serveStreamEndpoint(service, { name, subject, log: deps.log, request: GenerateRequest, observe, handle });
  }
  // Subscriptions reach the server asynchronously; one round trip guarantees it routes to this
  // replica before anyone is told it is ready (another connection's requests are not ordered
  // after ours otherwise).
  await deps.nc.flush();
  return service;
}
