import { performance } from "node:perf_hooks";
import { KBAlignError, type TimingsMs } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { CLIENT_GRACE_MS } from "../ask/ask-question.js";
import { newRequestId, streamQuery } from "../ask/query-stream.js";
import { ClientFailureCode } from "../bench/measure-request.js";
import { CliError } from "../errors.js";

/**
 * What one question's public request produced. `done` and `error` are the orchestrator's terminal
 * events; `failed` means the client saw none (no responders, client timeout, connection lost,
 * an event that broke the contract), with a client-side code (see ClientFailureCode).
 */
export interface CollectedAnswer {
  outcome: "done" | "error" | "failed";
  /** The error event's code, or the client-side one. */
  code?: string;
  message?: string;
  /** `recall` event: document ids, best first. */
  recallIds: string[];
  /** `query_expansion_recall` event; absent when the pipeline skipped or lost the second recall. */
  expansionIds?: string[];
  /** `first_answer` event; absent when it failed (the request is then degraded). */
  firstAnswer?: string;
  /** The `data` values, concatenated. */
  answer: string;
  /** `done.degraded` as `stage:CODE`. */
  degraded: string[];
  timingsMs?: TimingsMs;
  /** Client side, from send to the terminal event (or the failure). */
  latencyMs: number;
}

export interface CollectOptions {
  collection: string;
  topn: number;
  /** The request's own deadline (`timeoutMs` on the wire); the client waits CLIENT_GRACE_MS more. */
  timeoutMs: number;
}

/** Asks one question on `kbalign.v1.query`, exactly as a client does, and keeps what eval scores. */
export async function collectAnswer(nc: NatsConnection, question: string, options: CollectOptions): Promise<CollectedAnswer> {
  const sentAt = performance.now();
  const result: CollectedAnswer = { outcome: "failed", recallIds: [], answer: "", degraded: [], latencyMs: 0 };
  const end = (fields: Partial<CollectedAnswer>): CollectedAnswer => Object.assign(result, fields, { latencyMs: performance.now() - sentAt });
  const chunks: string[] = [];
  try {
    const events = streamQuery(
      nc,
      { query: question, collection: options.collection, topn: options.topn, timeoutMs: options.timeoutMs, requestId: newRequestId() },
      { clientTimeoutMs: options.timeoutMs + CLIENT_GRACE_MS },
    );
    for await (const { event } of events) {
      switch (event?.state) {
        case "recall":
          result.recallIds = event.docs.map((doc) => doc.id);
          break;
        case "query_expansion_recall":
          result.expansionIds = event.docs.map((doc) => doc.id);
          break;
        case "first_answer":
          result.firstAnswer = event.value;
          break;
        case "data":
          chunks.push(event.value);
          break;
        case "done":
          return end({ outcome: "done", answer: chunks.join(""), timingsMs: event.timingsMs, degraded: event.degraded.map((d) => `${d.stage}:${d.code}`) });
        case "error":
          return end({ outcome: "error", code: event.code, message: event.value });
        case undefined:
          break; // an event that broke the contract: the terminal one ends the loop below
      }
    }
    return end({ code: ClientFailureCode.noTerminalEvent, message: "the terminal event broke the contract" });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof KBAlignError) return end({ code: err.code, message });
    // streamQuery fails with a CliError only when its timer fires or the connection ends.
    if (err instanceof CliError) return end({ code: nc.isClosed() ? ClientFailureCode.disconnected : ClientFailureCode.timeout, message });
    throw err;
  }
}
