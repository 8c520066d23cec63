export { startRetriever, type RetrieverHandle, type StartRetrieverOptions } from "./start-retriever.js";
export { loadConfig, type RetrieverConfig } from "./config.js";
export { addRetrieverService, RETRIEVER_VERSION, type RetrieverServiceDeps } from "./service.js";
export { createRetrieveHandler, type RetrieveHandlerDeps } from "./retrieve-handler.js";
export { startKbFollower, type KbFollower, type KbFollowerOptions } from "./kb-follower.js";
export { parseKbMessage, type InvalidReason, type KbMessageResult } from "./kb-message.js";
export { IndexRegistry } from "./index-registry.js";
export { Bm25Index, DEFAULT_BM25_PARAMETERS, type Bm25Parameters, type IndexableDocument, type UpsertResult } from "@kbalign/search";
export { createRetrieverMetrics, type RetrieverMetrics } from "./metrics.js";
