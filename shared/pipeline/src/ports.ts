import type { Document, GenerateRequest, RetrieveRequest } from "@kbalign/contracts";

export interface RetrieveOptions {
  /** Aborted when the request is cancelled, its deadline passes or this attempt times out. */
  signal: AbortSignal;
  /** How long this attempt may take; a NATS client uses it as its request timeout. */
  timeoutMs: number;
}

/**
 * Finds the `topn` documents of `collection` that best match `query`.
 * Throws kbalign errors (from @kbalign/contracts); their `retryable` flag drives retries.
 */
export interface RetrieverPort {
  retrieve(req: RetrieveRequest, opts: RetrieveOptions): Promise<Document[]>;
}

/** What the pipeline asks a generator for: a generate request without the transport's fields. */
export type GenerationInput = Omit<GenerateRequest, "streamId" | "deadline">;

export interface GenerateOptions {
  /** Aborted when the request is cancelled or its deadline passes: stop generating. */
  signal: AbortSignal;
  /** Absolute deadline, epoch milliseconds. */
  deadline: number;
  /**
   * Epoch milliseconds by which the first chunk must arrive, or the pipeline gives up on this
   * generation (it then falls back). A remote generator may stop its own work at that time.
   */
  firstChunkBy?: number;
}

/**
 * Streams an answer grounded on `documents` as text chunks. The generator formats the documents'
 * text into its prompt itself. Throws kbalign errors; `retryable` drives retries (before the first chunk only).
 */
export interface GeneratorPort {
  generate(req: GenerationInput, opts: GenerateOptions): AsyncIterable<string>;
}
