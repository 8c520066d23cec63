import { Counter, Gauge, type Registry } from "prom-client";
import { createEndpointObserver, type EndpointOutcome } from "@kbalign/telemetry";

/** Every instrument the retriever exports, declared once on the registry it is given. */
export interface RetrieverMetrics {
  /** `kbalign_index_documents{collection}`: documents in each collection's index. */
  indexDocuments: Gauge<"collection">;
  /** `kbalign_index_terms{collection}`: distinct terms per index, the main driver of its memory. */
  indexTerms: Gauge<"collection">;
  /** `kbalign_index_caught_up`: 1 once the index holds everything the KB stream held at start. */
  caughtUp: Gauge;
  /** `kbalign_index_catch_up_duration_seconds`: start of the follower → caught up (how long a new replica takes). */
  catchUpDuration: Gauge;
  /** `kbalign_kb_documents_applied_total{operation}`: KB messages indexed, as new documents or replacements. */
  documentsApplied: Counter<"operation">;
  /** `kbalign_kb_invalid_documents_total{reason}`: KB messages skipped as invalid. */
  invalidDocuments: Counter<"reason">;
  /** `kbalign_kb_documents_refused_total{reason}`: KB documents not indexed because the index budget was reached. */
  documentsRefused: Counter<"reason">;
  /** `kbalign_index_text_bytes`: text and title bytes held by every index (against KBALIGN_INDEX_MAX_TEXT_BYTES). */
  indexTextBytes: Gauge;
  /** `kbalign_kb_last_sequence`: stream sequence of the last KB message processed (compare with the stream's). */
  lastSequence: Gauge;
  /** `kbalign_kb_lag_messages`: KB stream messages not yet applied (the ordered consumer's pending count). */
  kbLag: Gauge;
  /** `kbalign_kb_consumer_resets_total`: the ordered consumer recreated itself (gap, server restart). */
  consumerResets: Counter;
  /** `kbalign_kb_follower_restarts_total`: the follower had to reopen its consumer after a failure. */
  followerRestarts: Counter;
  /** `kbalign_index_version{collection}`: the version each collection serves. */
  indexVersion: Gauge<"collection">;
  /** `kbalign_kb_rebuilds_total{reason}`: indexes rebuilt from the stream because it was purged, reset or recreated under the follower. */
  rebuilds: Counter<"reason">;
  /** `kbalign_payload_cuts_total{message="retrieve_reply",fit}`: replies made to fit max_payload (dropped: whole documents left out; truncated: the best one cut). */
  payloadCuts: Counter<"message" | "fit">;
  /** `kbalign_retrieve_cache_hits_total`: retrievals answered from the result cache. */
  cacheHits: Counter;
  /** `kbalign_retrieve_cache_misses_total`: retrievals ranked afresh with the result cache on. */
  cacheMisses: Counter;
  /** `kbalign_endpoint_duration_seconds{endpoint,code}` (shared instrument). */
  observeEndpoint: (outcome: EndpointOutcome) => void;
}

export function createRetrieverMetrics(registry: Registry): RetrieverMetrics {
  const registers = [registry];
  return {
    indexDocuments: new Gauge({
      name: "kbalign_index_documents",
      help: "Documents in the BM25 index of each collection.",
      labelNames: ["collection"],
      registers,
    }),
    indexTerms: new Gauge({
      name: "kbalign_index_terms",
      help: "Distinct terms in the BM25 index of each collection.",
      labelNames: ["collection"],
      registers,
    }),
    caughtUp: new Gauge({
      name: "kbalign_index_caught_up",
      help: "1 once the index holds every document the knowledge-base stream held when the retriever started, else 0.",
      registers,
    }),
    catchUpDuration: new Gauge({
      name: "kbalign_index_catch_up_duration_seconds",
      help: "Time the retriever took to index the knowledge-base stream at start-up.",
      registers,
    }),
    documentsApplied: new Counter({
      name: "kbalign_kb_documents_applied_total",
      help: "Knowledge-base documents indexed, by operation (added, replaced or deleted).",
      labelNames: ["operation"],
      registers,
    }),
    documentsRefused: new Counter({
      name: "kbalign_kb_documents_refused_total",
      help: "Knowledge-base documents not indexed because the index budget was reached, by reason (index_bytes, collection_documents).",
      labelNames: ["reason"],
      registers,
    }),
    indexTextBytes: new Gauge({
      name: "kbalign_index_text_bytes",
      help: "Text and title bytes held by the indexes of every collection (the index budget's measure).",
      registers,
    }),
    invalidDocuments: new Counter({
      name: "kbalign_kb_invalid_documents_total",
      help: "Knowledge-base stream messages skipped because they are not valid documents, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    lastSequence: new Gauge({
      name: "kbalign_kb_last_sequence",
      help: "Stream sequence of the last knowledge-base message the retriever processed.",
      registers,
    }),
    kbLag: new Gauge({
      name: "kbalign_kb_lag_messages",
      help: "Knowledge-base stream messages the retriever has not applied yet (the ordered consumer's pending count).",
      registers,
    }),
    consumerResets: new Counter({
      name: "kbalign_kb_consumer_resets_total",
      help: "Times the ordered knowledge-base consumer was recreated (sequence gap, server restart).",
      registers,
    }),
    followerRestarts: new Counter({
      name: "kbalign_kb_follower_restarts_total",
      help: "Times the knowledge-base follower reopened its consumer after a failure.",
      registers,
    }),
    indexVersion: new Gauge({
      name: "kbalign_index_version",
      help: "The version of each collection the retriever serves.",
      labelNames: ["collection"],
      registers,
    }),
    rebuilds: new Counter({
      name: "kbalign_kb_rebuilds_total",
      help: "Times the retriever rebuilt its indexes from the knowledge-base stream because the stream was purged, reset or recreated under it, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    payloadCuts: new Counter({
      name: "kbalign_payload_cuts_total",
      help: "Messages made to fit NATS max_payload, by message (retrieve_reply) and fit (dropped, truncated).",
      labelNames: ["message", "fit"],
      registers,
    }),
    cacheHits: new Counter({
      name: "kbalign_retrieve_cache_hits_total",
      help: "Retrievals answered from the result cache (same request, same collection generation).",
      registers,
    }),
    cacheMisses: new Counter({
      name: "kbalign_retrieve_cache_misses_total",
      help: "Retrievals ranked afresh while the result cache is on (then cached).",
      registers,
    }),
    observeEndpoint: createEndpointObserver(registry),
  };
}
