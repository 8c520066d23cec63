import { ServiceNames, Subjects } from "@kbalign/contracts";
import { bodyBudget, serveRaw, Svcm, type NatsConnection, type Service } from "@kbalign/nats";
import type { KBAlign } from "@kbalign/pipeline";
import { createEndpointObserver, type Logger } from "@kbalign/telemetry";
import type { Registry } from "prom-client";
import type { AdaptiveLimit } from "./adaptive-limit.js";
import type { Admission } from "./admission.js";
import { createCancelHandler } from "./cancel-handler.js";
import type { OrchestratorMetrics } from "./metrics.js";
import { createQueryHandler } from "./query-handler.js";
import type { RequestRegistry } from "./request-registry.js";
import type { RequestLimits } from "./request-limits.js";

export const SERVICE_VERSION = "0.1.0";

/**
 * The queue group of `kbalign.v1.query`: each query goes to one replica. The service itself is
 * created with no default queue because the services framework (3.0.0-25) ignores an endpoint's
 * `queue: ""` and falls back to the service's queue; cancel must reach every replica.
 */
export const QUERY_QUEUE = "q";

export interface ServiceDeps {
  nc: NatsConnection;
  pipeline: Pick<KBAlign, "run">;
  admission: Admission;
  /** Told each admitted request's wait to its first data chunk (or its end), when the in-flight limit adapts. */
  limiter?: AdaptiveLimit;
  requests: RequestRegistry;
  maxRequestBytes: number;
  requestLimits?: RequestLimits;
  metrics: OrchestratorMetrics;
  registry: Registry;
  log: Logger;
  instance: string | undefined;
  /** Tracks each query handler's promise, so shutdown can wait for them. */
  track: (handling: Promise<unknown>) => void;
}

/** Registers the micro service `kbalign-orchestrator` with its endpoints `query` and `cancel`. */
export async function registerService(deps: ServiceDeps): Promise<Service> {
  const service = await new Svcm(deps.nc).add({
    name: ServiceNames.orchestrator,
    version: SERVICE_VERSION,
    description: "KBAlign pipeline: recall, first answer, query expansion, final answer",
    queue: "",
    ...(deps.instance ? { metadata: { instance: deps.instance } } : {}),
  });
  const observe = createEndpointObserver(deps.registry);
  const handleQuery = createQueryHandler({ ...deps, maxEventBytes: () => bodyBudget(deps.nc) });
  serveRaw(service, {
    name: "query",
    subject: Subjects.query,
    queue: QUERY_QUEUE,
    log: deps.log,
    observe,
    handle: (msg) => {
      const handling = handleQuery(msg);
      deps.track(handling);
      return handling;
    },
  });
  serveRaw(service, {
    name: "cancel",
    subject: Subjects.cancel,
    queue: "",
    log: deps.log,
    observe,
    handle: createCancelHandler(deps),
  });
  // Subscriptions reach the server asynchronously; one round trip guarantees it routes to this
  // replica before anyone is told it is ready (another connection's requests are not ordered
  // after ours otherwise).
  await deps.nc.flush();
  return service;
}
