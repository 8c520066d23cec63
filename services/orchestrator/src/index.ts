import { ServiceNames, UnavailableError } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { KBAlign, type GeneratorPort, type RetrieverPort } from "@kbalign/pipeline";
import type { Logger } from "@kbalign/telemetry";
import type { Registry } from "prom-client";
import { watchRuntimeConfig, type RuntimeConfig } from "@kbalign/nats";
import { createAdaptiveLimit } from "./adaptive-limit.js";
import { createAdmission } from "./admission.js";
import { pipelineConfig, type OrchestratorConfig } from "./config.js";
import { createGeneratorClient } from "./generator-client.js";
import { createOrchestratorMetrics } from "./metrics.js";
import { createPipelineObserver } from "./pipeline-observer.js";
import { createRequestRegistry } from "./request-registry.js";
import { createCancelHandler } from "./cancel-handler.js";
import { createReplicaDirectory } from "./replica-directory.js";
import { subscribeShutdownCancels } from "./shutdown-cancels.js";
import { createRetrieverClient } from "./retriever-client.js";
import { runtimeSettingsBuilder, type RuntimeSettings } from "./runtime-settings.js";
import { registerService } from "./service.js";
import { createOtelStageTracer } from "./stage-tracer.js";

export { loadConfig, OrchestratorEnv, pipelineConfig, type OrchestratorConfig } from "./config.js";
export { createOrchestratorMetrics, type OrchestratorMetrics } from "./metrics.js";
export { SERVICE_VERSION, QUERY_QUEUE } from "./service.js";

/** How long stopping the service may wait for the server (it does not answer when NATS is down). */
const QUERY_HANDOFF_TIMEOUT_MS = 1_000;

export interface OrchestratorOptions {
  nc: NatsConnection;
  config: OrchestratorConfig;
  log: Logger;
  /** Metrics are declared on it (once per registry). */
  registry: Registry;
  /** Replace the NATS clients of the retriever or generator (e.g. with in-process ports). */
  ports?: { retriever?: RetrieverPort; generator?: GeneratorPort };
  /** Follow the runtime configuration bucket KBALIGN_CONFIG (default true; false: the environment only). */
  runtimeConfig?: boolean;
}

export interface Orchestrator {
  /** True while it takes requests: started, not stopping, connection not closed. */
  ready(): boolean;
  /** Requests being handled now. */
  inFlight(): number;
  /**
   * Stops taking requests (the service stops, so new queries go to other replicas; one that still
   * arrives is answered at once with a retryable UNAVAILABLE), lets the
   * ones in flight finish for up to KBALIGN_SHUTDOWN_GRACE_MS while cancels are still honoured,
   * then ends the rest with a retryable UNAVAILABLE: every client gets its terminal event. Does not
   * close the connection (the caller owns it).
   */
  stop(): Promise<void>;
}

/** Starts the orchestrator on `nc`: the micro service `kbalign-orchestrator` (endpoints query, cancel). */
export async function startOrchestrator(options: OrchestratorOptions): Promise<Orchestrator> {
  const { nc, config, log, registry } = options;
  const metrics = createOrchestratorMetrics(registry);
  const directory = (service: string) =>
    createReplicaDirectory(nc, service, { refreshMs: config.KBALIGN_REPLICA_REFRESH_MS, avoidMs: config.KBALIGN_REPLICA_AVOID_MS, log });
  const retrievers = options.ports?.retriever ? undefined : directory(ServiceNames.retriever);
  const generators = options.ports?.generator ? undefined : directory(ServiceNames.generator);
  const retriever = options.ports?.retriever ?? createRetrieverClient(nc, retrievers);
  const generator =
    options.ports?.generator ??
    createGeneratorClient(nc, {
      idleTimeoutMs: config.KBALIGN_GENERATE_IDLE_TIMEOUT_MS,
      log,
      onCut: (fit) => metrics.payloadCuts.inc({ message: "generate_request", fit }),
      ...(generators ? { replicas: generators } : {}),
    });
  const pipeline = new KBAlign(retriever, generator, pipelineConfig(config), createPipelineObserver(metrics, log), createOtelStageTracer({ recordContent: config.KBALIGN_TRACE_CONTENT }));
  const limiter =
    config.KBALIGN_MAX_IN_FLIGHT === undefined
      ? createAdaptiveLimit({
          targetMs: config.KBALIGN_ADMISSION_TARGET_MS,
          // An overload that meets a fresh replica queues up to this many before the first window ends
          // (from 64: a p99 of 150–300 ms to the first data at 800/s; from 16–35: 80–110 ms), and
          // below the capacity a backend's stall piles up to this many before any is refused (from 16:
          // 1% refused at 250/s, where the p99 held). Bursts that nearly use it grow it by a tenth a window.
          initial: Math.min(32, config.KBALIGN_ADMISSION_MAX_IN_FLIGHT),
          min: config.KBALIGN_ADMISSION_MIN_IN_FLIGHT,
          max: config.KBALIGN_ADMISSION_MAX_IN_FLIGHT,
          // Short windows, so an overload is answered within a second; each still needs 10 samples.
          windowMs: 250,
        })
      : undefined;
  const runtime = options.runtimeConfig === false ? undefined : await followRuntimeConfig(options, metrics);
  // A limit set in the runtime configuration (query.maxInFlight) is fixed; unset, the environment's
  // (adaptive when KBALIGN_MAX_IN_FLIGHT is unset). Read at each admission, so a change applies to the next request.
  const admission = createAdmission(() => (runtime?.current().settings.config ?? config).KBALIGN_MAX_IN_FLIGHT ?? limiter?.limit() ?? 1);
  // Each request runs with the settings in force when it starts, and its `done` names their revision.
  const configured: Pick<KBAlign, "run"> = runtime
    ? {
        run: (input, runOptions) => {
          const { settings, revision } = runtime.current();
          return pipeline.run(input, { ...runOptions, config: { config: settings.pipeline, revision } });
        },
      }
    : pipeline;
  const requests = createRequestRegistry();
  const handling = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>) => {
    handling.add(promise);
    const forget = () => handling.delete(promise);
    // Only bookkeeping: the endpoint wrapper awaits the same promise and handles its failure.
    promise.then(forget, forget);
  };

  // Knowing the replicas before the first query lets its first retry already avoid the one that failed.
  await Promise.all([retrievers?.refresh(), generators?.refresh()]);
  const service = await registerService({
    nc,
    pipeline: configured,
    admission,
    ...(limiter ? { limiter } : {}),
    requests,
    maxRequestBytes: config.KBALIGN_MAX_REQUEST_BYTES,
    requestLimits: {
      maxQueryChars: config.KBALIGN_MAX_QUERY_CHARS,
      maxHistoryMessages: config.KBALIGN_MAX_HISTORY_MESSAGES,
      maxMessageChars: config.KBALIGN_MAX_MESSAGE_CHARS,
      maxTopn: config.KBALIGN_MAX_TOPN,
    },
    metrics,
    registry,
    log,
    instance: config.KBALIGN_INSTANCE,
    track,
  });

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    const shuttingDown = new UnavailableError("orchestrator is shutting down, retry");
    // The service stops first (its subscriptions drained: what is already on its way is still
    // answered), so new queries go to the other replicas at once; the requests still running stay
    // cancellable through a plain subscription until they are over. Should the stop not finish (NATS
    // down), the closed admission refuses what still arrives, at once and retryable.
    const cancels = subscribeShutdownCancels(nc, createCancelHandler({ requests }), log);
    if (!(await settledWithin([service.stop()], QUERY_HANDOFF_TIMEOUT_MS))) {
      log.warn({ timeoutMs: QUERY_HANDOFF_TIMEOUT_MS }, "the service did not stop in time: refusing new queries with UNAVAILABLE instead");
    }
    admission.close(shuttingDown);
    if (handling.size > 0 && !(await settledWithin(handling, config.KBALIGN_SHUTDOWN_GRACE_MS))) {
      const ended = requests.cancelAll(shuttingDown);
      log.warn({ ended, graceMs: config.KBALIGN_SHUTDOWN_GRACE_MS }, "ended requests still running after the grace period with UNAVAILABLE");
      await Promise.allSettled([...handling]);
    }
    cancels.unsubscribe();
    retrievers?.stop();
    generators?.stop();
    await runtime?.stop();
  };
  return {
    ready: () => stopping === undefined && !nc.isClosed(),
    inFlight: () => admission.inFlight(),
    stop: () => (stopping ??= stop()),
  };
}

/** True if every promise settled within `ms`. */
async function settledWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([...promises]).then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Watches KBALIGN_CONFIG. Without JetStream the orchestrator still runs, on its environment alone,
 * and says so: a cluster without the bucket is a deployment problem to see, not a reason to refuse queries.
 */
async function followRuntimeConfig(options: OrchestratorOptions, metrics: ReturnType<typeof createOrchestratorMetrics>): Promise<RuntimeConfig<RuntimeSettings> | undefined> {
  const { nc, config, log } = options;
  try {
    const runtime = await watchRuntimeConfig({
      nc,
      log,
      build: runtimeSettingsBuilder(config),
      replicas: config.KBALIGN_JS_REPLICAS,
      onApplied: ({ revision }) => metrics.configRevision.set(revision),
      onRejected: ({ key }) => metrics.configRejected.inc({ key }),
    });
    metrics.configRevision.set(runtime.current().revision);
    return runtime;
  } catch (err) {
    log.error({ err }, "runtime configuration unavailable (KV bucket KBALIGN_CONFIG): running on the environment alone");
    return undefined;
  }
}
export { parseRuntimeValue, runtimeSettingsBuilder, type RuntimeSettings } from "./runtime-settings.js";
