// Attribute names of the orchestrator's stage spans. `error.type` is the stable OpenTelemetry
// attribute (copied, as the other conventions used here are still "Development" status); the
// `kbalign.*` ones are this project's own namespace. Counts and sizes only: never user text.
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_KBALIGN_STAGE = "kbalign.stage";
export const ATTR_KBALIGN_REQUEST_ID = "kbalign.request.id";
export const ATTR_KBALIGN_DOCUMENTS_COUNT = "kbalign.documents.count";
export const ATTR_KBALIGN_ANSWER_CHARS = "kbalign.answer.chars";
export const ATTR_KBALIGN_RETRY_TARGET = "kbalign.retry.target";
export const ATTR_KBALIGN_RETRY_ATTEMPT = "kbalign.retry.attempt";
export const ATTR_KBALIGN_RETRY_DELAY_MS = "kbalign.retry.delay_ms";
export const ATTR_KBALIGN_DEGRADATION_FALLBACK = "kbalign.degradation.fallback";
/** Revision of the runtime configuration (KV bucket KBALIGN_CONFIG) a request ran with. */
export const ATTR_KBALIGN_CONFIG_REVISION = "kbalign.config.revision";
/** Collection version a recall ranked. */
export const ATTR_KBALIGN_KB_VERSION = "kbalign.kb.version";
/** User content: recorded only with KBALIGN_TRACE_CONTENT=true. */
export const ATTR_KBALIGN_QUERY = "kbalign.query";
export const ATTR_KBALIGN_ANSWER = "kbalign.answer";
/** Span events. */
export const EVENT_RETRY = "kbalign.retry";
export const EVENT_DEGRADED = "kbalign.degraded";
