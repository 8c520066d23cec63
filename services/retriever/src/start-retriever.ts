import { UnavailableError } from "@kbalign/contracts";
import type { NatsConnection, Service } from "@kbalign/nats";
import type { Logger } from "@kbalign/telemetry";
import type { Registry } from "prom-client";
import type { RetrieverConfig } from "./config.js";
import { IndexRegistry } from "./index-registry.js";
import { startKbFollower } from "./kb-follower.js";
import { createRetrieverMetrics } from "./metrics.js";
import { addRetrieverService } from "./service.js";

export interface StartRetrieverOptions {
  nc: NatsConnection;
  config: Pick<RetrieverConfig, "KBALIGN_BM25_K1" | "KBALIGN_BM25_B" | "KBALIGN_BM25_TITLE_WEIGHT" | "KBALIGN_KB_PULL_EXPIRES_MS" | "KBALIGN_KB_LAG_CHECK_MS" | "KBALIGN_INSTANCE"> &
    Partial<Pick<RetrieverConfig, "KBALIGN_JS_REPLICAS">>;
  log: Logger;
  /** Where the retriever's instruments are declared (once per registry). */
  registry: Registry;
}

export interface RetrieverHandle {
  /** Serving requests: caught up, endpoint registered, not stopping, NATS connection open. */
  ready(): boolean;
  /**
   * Resolves once the index holds everything the KB stream held at start and the `retrieve`
   * endpoint is registered. Rejects if the retriever stops (or fails to register) first.
   */
  readonly caughtUp: Promise<void>;
  /** The live indexes, one per collection (kept current by the KB follower). */
  readonly indexes: IndexRegistry;
  /** Stream sequence of the last KB message processed. */
  lastSequence(): number;
  /** Stops serving, then stops following the KB stream. Leaves the NATS connection open: it belongs to the caller. */
  stop(): Promise<void>;
}

/**
 * Starts the retriever in-process on an open NATS connection. Resolves as soon as the KB follower
 * is consuming; the endpoint is registered only once the index has caught up (see `caughtUp`).
 */
export async function startRetriever(options: StartRetrieverOptions): Promise<RetrieverHandle> {
  const { nc, config, log } = options;
  const metrics = createRetrieverMetrics(options.registry);
  const indexes = new IndexRegistry({ k1: config.KBALIGN_BM25_K1, b: config.KBALIGN_BM25_B, titleWeight: config.KBALIGN_BM25_TITLE_WEIGHT });
  const follower = await startKbFollower({ nc, indexes, metrics, log, pullExpiresMs: config.KBALIGN_KB_PULL_EXPIRES_MS, lagCheckMs: config.KBALIGN_KB_LAG_CHECK_MS, streamReplicas: config.KBALIGN_JS_REPLICAS ?? 1 });
  let service: Service | undefined;
  let stopping = false;

  const serveOnceCaughtUp = async (): Promise<void> => {
    await follower.caughtUp;
    if (stopping) throw new UnavailableError("the retriever stopped before serving");
    const added = await addRetrieverService({
      nc,
      indexes,
      log,
      observe: metrics.observeEndpoint,
      onReplyCut: (fit) => metrics.payloadCuts.inc({ message: "retrieve_reply", fit }),
      instance: config.KBALIGN_INSTANCE,
    });
    if (stopping) {
      await added.stop();
      throw new UnavailableError("the retriever stopped before serving");
    }
    service = added;
    log.info({ documents: indexes.documentCounts() }, "retriever serving");
  };
  const caughtUp = serveOnceCaughtUp();
  // Logged here so a failure is never silent; whoever awaits `caughtUp` still gets the rejection.
  caughtUp.catch((err: unknown) => {
    if (stopping) log.debug({ err }, "retriever stopped before serving");
    else log.error({ err }, "retriever could not start serving");
  });

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    // Unsubscribe first: requests go to other replicas while this one winds down.
    if (service && !service.isStopped) await service.stop();
    await follower.stop();
    log.info({}, "retriever stopped");
  };

  return {
    ready: () => service !== undefined && !stopping && !service.isStopped && !nc.isClosed(),
    caughtUp,
    indexes,
    lastSequence: follower.lastSequence,
    stop: () => (stopped ??= stop()),
  };
}
