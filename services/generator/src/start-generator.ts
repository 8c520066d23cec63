import { UnavailableError } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import type { Logger } from "@kbalign/telemetry";
import type { Registry } from "prom-client";
import type { GenerationBackend } from "./backends/backend.js";
import { backendFromConfig } from "./backends/from-config.js";
import { createCancellations, subscribeCancellations } from "./cancellations.js";
import type { GeneratorConfig } from "./config.js";
import { createGeneratorMetrics } from "./metrics.js";
import { addGeneratorService } from "./service.js";

export interface StartGeneratorOptions {
  nc: NatsConnection;
  config: GeneratorConfig;
  log: Logger;
  /** Where the generator's instruments are declared (once per registry). */
  registry: Registry;
  /** Replaces the backend the config names (embedding, tests). */
  backend?: GenerationBackend;
}

export interface GeneratorHandle {
  /** Serving requests: started, not stopping, NATS connection open. */
  ready(): boolean;
  /** Streams in flight on this replica. */
  inFlight(): number;
  /** Name of the backend in use ("extractive", "openai"). */
  readonly backend: string;
  /**
   * Stops taking requests, lets streams in flight finish for up to KBALIGN_SHUTDOWN_GRACE_MS, then
   * ends the rest with UNAVAILABLE (retryable: the caller can go to another replica). Leaves the
   * NATS connection open: it belongs to the caller.
   */
  stop(): Promise<void>;
}

/** Starts the generator in-process on an open NATS connection. */
export async function startGenerator(options: StartGeneratorOptions): Promise<GeneratorHandle> {
  const { nc, config, log } = options;
  const metrics = createGeneratorMetrics(options.registry);
  const backend = options.backend ?? backendFromConfig(config, { log, metrics });
  const cancellations = createCancellations();
  // Subscribed before the endpoint, so no stream can start that a cancel could not reach.
  const cancelSub = subscribeCancellations(nc, cancellations, log);
  const service = await addGeneratorService({ nc, backend, cancellations, metrics, log, instance: config.KBALIGN_INSTANCE, maxInFlight: config.KBALIGN_GENERATOR_MAX_IN_FLIGHT });
  let stopping: Promise<void> | undefined;

  const stop = async (): Promise<void> => {
    await service.stop();
    const inFlight = cancellations.size;
    if (inFlight > 0) {
      log.info({ inFlight, graceMs: config.KBALIGN_SHUTDOWN_GRACE_MS }, "waiting for streams in flight");
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<"grace over">((resolve) => {
        graceTimer = setTimeout(() => resolve("grace over"), config.KBALIGN_SHUTDOWN_GRACE_MS);
      });
      const result = await Promise.race([cancellations.idle(), graceOver]);
      clearTimeout(graceTimer);
      if (result === "grace over") {
        const stopped = cancellations.cancelAll(new UnavailableError("generator replica shutting down"));
        log.warn({ stopped }, "stopped streams still running after the shutdown grace period");
        await cancellations.idle();
      }
    }
    cancelSub.unsubscribe();
    log.info({}, "generator stopped");
  };

  log.info({ backend: backend.name }, "generator serving");
  return {
    backend: backend.name,
    ready: () => stopping === undefined && !service.isStopped && !nc.isClosed(),
    inFlight: () => cancellations.size,
    stop: () => (stopping ??= stop()),
  };
}
