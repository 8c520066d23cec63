import type { KBAlignError, Stage } from "@kbalign/contracts";
import type { RetryInfo } from "./retry.js";

/** What a finished stage measured: counts and sizes, never texts. */
export interface StageResult {
  /** Documents a recall returned. */
  documents?: number;
  /** Characters of the text a generation produced. */
  chars?: number;
  /** The text a generation produced: user content, for a tracer to record only when an operator asks. */
  text?: string;
  /** The collection version a recall ranked, when the retriever reported it. */
  kbVersion?: number;
}

/** What a stage works on: user content, for a tracer to record only when an operator asks. */
export interface StageInput {
  /** The question (a recall's query, expanded or not, for the recall stages). */
  query: string;
  /** Revision of the runtime configuration this request runs with, when one was read. */
  configRevision?: number;
}

/** The span (or whatever the tracer keeps) of one running stage. */
export interface StageSpan {
  /**
   * Runs `fn` with this stage as the current context, so the requests a port sends inside it
   * are the stage's children. The pipeline calls every port method (and every `next()` of a
   * streamed port) through it.
   */
  run<T>(fn: () => T): T;
  /** A retryable failure about to be retried. */
  retrying(target: "retrieve" | "generate", info: RetryInfo): void;
  /** Ends the stage: with `error` when it failed (whether or not the request degraded). */
  end(error: KBAlignError | undefined, result?: StageResult): void;
}

/**
 * Opens one span per stage. A port, so this library needs no tracing dependency: the orchestrator
 * implements it with OpenTelemetry. Called where the stage starts, in the request's own context.
 * Must not throw.
 */
export interface StageTracer {
  startStage(stage: Stage, requestId: string, input: StageInput): StageSpan;
}

const noopSpan: StageSpan = { run: (fn) => fn(), retrying: () => undefined, end: () => undefined };

/** The default: no spans, no cost. */
export const noopStageTracer: StageTracer = { startStage: () => noopSpan };
