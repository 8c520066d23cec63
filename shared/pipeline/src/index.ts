export { KBAlign, type RunOptions } from "./kbalign.js";
export { KBAlignConfig, KBAlignConfigError, parseKBAlignConfig, type KBAlignConfigInput } from "./config.js";
export type { Retrieval, RetrieverPort, RetrieveOptions, GeneratorPort, GenerateOptions, GenerationInput } from "./ports.js";
export { createInProcessRetriever, createInProcessGenerator, type InProcessDocument, type InProcessGeneratorOptions } from "./in-process.js";
export type { PipelineObserver, RetryNotice, StageNotice } from "./observer.js";
export { noopStageTracer, type StageTracer, type StageSpan, type StageResult, type StageInput } from "./stage-tracer.js";
export { createEventStream, errorBody, type EventStream } from "./event-stream.js";
export { KBAlignInput, validateQuery, readRequestId, type KBAlignRequest, type QueryValidation } from "./query-input.js";
export { degradationTable, degradation, recallFailure, brokenStreamFailure, extractiveFallback, type DegradationReason } from "./degradation.js";
export { retry, type RetryOptions, type RetryInfo } from "./retry.js";
export { backoffDelay, type BackoffPolicy } from "./backoff.js";
export { expandQuery, type RecallQuery } from "./stages.js";
// The error classes under the names of the user's Python plan (they live in @kbalign/contracts).
export { KBAlignError, RetrievalError, GenerationError } from "@kbalign/contracts";
