import { instanceSubject, RetrieveRequest, ServiceNames, Subjects } from "@kbalign/contracts";
import { bodyBudget, serveEndpoint, Svcm, type Log, type NatsConnection, type Outcome, type Service } from "@kbalign/nats";
import type { IndexRegistry } from "./index-registry.js";
import { createRetrieveHandler } from "./retrieve-handler.js";

export const RETRIEVER_VERSION = "0.1.0";

export interface RetrieverServiceDeps {
  nc: NatsConnection;
  indexes: IndexRegistry;
  log: Log;
  observe: (outcome: Outcome) => void;
  /** Counts a reply made to fit max_payload. */
  onReplyCut?: (fit: "dropped" | "truncated") => void;
  instance?: string;
}

/**
 * Registers micro service "kbalign-retriever" with its `retrieve` endpoint (queue group: the service
 * default). Call it only once the index has caught up: a queue group routes requests to every
 * subscribed replica, so subscribing is what makes a replica take traffic.
 */
export async function addRetrieverService(deps: RetrieverServiceDeps): Promise<Service> {
  const service = await new Svcm(deps.nc).add({
    name: ServiceNames.retriever,
    version: RETRIEVER_VERSION,
    description: "kbalign BM25 retrieval over the knowledge-base stream",
    metadata: { backend: "bm25", ...(deps.instance ? { instance: deps.instance } : {}) },
  });
  const handle = createRetrieveHandler({
    indexes: deps.indexes,
    maxReplyBytes: () => bodyBudget(deps.nc),
    log: deps.log,
    ...(deps.onReplyCut ? { onCut: deps.onReplyCut } : {}),
  });
  // The shared subject (queue group) and this replica's own, where a caller sends what it wants
  // this replica to answer (a retry avoiding another replica).
  serveEndpoint(service, { name: "retrieve", subject: Subjects.retrieve, log: deps.log, request: RetrieveRequest, observe: deps.observe, handle });
  serveEndpoint(service, {
    name: "retrieve-instance",
    subject: instanceSubject(Subjects.retrieve, service.info().id),
    log: deps.log,
    request: RetrieveRequest,
    // One series per operation in the metrics, whichever subject the call came by.
    observe: (outcome) => deps.observe({ ...outcome, endpoint: "retrieve" }),
    handle,
  });
  // Subscriptions reach the server asynchronously; one round trip guarantees it routes to this
  // replica before anyone is told it is ready (another connection's requests are not ordered
  // after ours otherwise).
  await deps.nc.flush();
  return service;
}
