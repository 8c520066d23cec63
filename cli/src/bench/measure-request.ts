import { performance } from "node:perf_hooks";
import { KBAlignError, type StageEvent, type TimingsMs } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { CLIENT_GRACE_MS } from "../ask/ask-question.js";
import { newRequestId, streamQuery } from "../ask/query-stream.js";
import { CliError } from "../errors.js";
import type { BenchQuestion } from "./questions.js";

/**
 * How a request ended: `done`/`error` are the orchestrator's terminal events; `failed` means the
 * client saw no terminal event (no responders, client timeout, connection lost, broken stream);
 * `abandoned` means the bench stopped waiting for it (a second Ctrl-C): it is kept in the raw
 * samples but not counted, since it says nothing about the service.
 */
export type RequestOutcome = "done" | "error" | "failed" | "abandoned";

/** Codes for failures seen only by the client; wire codes (ErrorCode) are used as they are. */
export const ClientFailureCode = {
  /** No terminal event within the request's timeout plus the client's grace. */
  timeout: "CLIENT_TIMEOUT",
  /** The NATS connection closed while the request was in flight. */
  disconnected: "DISCONNECTED",
  /** The stream ended on an event that broke the contract, so no valid terminal event came. */
  noTerminalEvent: "NO_TERMINAL_EVENT",
  abandoned: "ABANDONED",
} as const;

/** One measured request. Times are milliseconds from when it was sent, measured client side. */
export interface RequestSample {
  /** 0-based position among the measured requests. */
  index: number;
  questionId: string;
  requestId: string;
  /** When it was sent, in ms since the measured phase began. */
  sentAtMs: number;
  firstEventMs?: number;
  /** To the `recall` event, the `first_answer` event. */
  recallMs?: number;
  firstAnswerMs?: number;
  firstDataMs?: number;
  /** To the terminal event, or to the failure. */
  endMs: number;
  outcome: RequestOutcome;
  /** The error event's code, or a client-side one (ClientFailureCode, UNAVAILABLE for no responders). */
  code?: string;
  message?: string;
  events: number;
  dataEvents: number;
  /** Events that broke the contract: not valid stage events, or out of `seq` order. */
  contractProblems: number;
  /** `done.timingsMs`: the orchestrator's own view of each stage. */
  timingsMs?: TimingsMs;
  /** `done.degraded` as `stage:CODE`. */
  degraded?: string[];
}

export interface MeasureOptions {
  collection: string;
  topn?: number;
  /** The request's own deadline (`timeoutMs` on the wire). */
  timeoutMs: number;
  /** Aborting stops waiting at once; the sample is then `abandoned`. */
  abandon?: AbortSignal;
}

/** Sends one question over the public contract (streamQuery) and times its events. */
export async function measureRequest(
  nc: NatsConnection,
  question: BenchQuestion,
  options: MeasureOptions,
  position: RequestPosition,
): Promise<RequestSample> {
  const requestId = newRequestId();
  const sentAt = position.scheduledAt ?? performance.now();
  const since = () => microseconds(performance.now() - sentAt);
  const sample: RequestSample = {
    index: position.index,
    questionId: question.id,
    requestId,
    sentAtMs: microseconds(sentAt - position.phaseStartMs),
    endMs: 0,
    outcome: "failed",
    events: 0,
    dataEvents: 0,
    contractProblems: 0,
  };
  // Typed as the sample's fields, so a misspelt outcome or code field fails to compile.
  const end = (fields: Partial<RequestSample> & Pick<RequestSample, "endMs">): RequestSample => Object.assign(sample, fields);
  try {
    const events = streamQuery(
      nc,
      { query: question.text, collection: options.collection, timeoutMs: options.timeoutMs, requestId, ...(options.topn === undefined ? {} : { topn: options.topn }) },
      { clientTimeoutMs: options.timeoutMs + CLIENT_GRACE_MS, ...(options.abandon ? { signal: options.abandon } : {}) },
    );
    for await (const { event } of events) {
      if (recordEvent(sample, event, since())) return sample;
    }
    // streamQuery returned on a terminal state whose event broke the contract.
    return end({ endMs: since(), code: ClientFailureCode.noTerminalEvent, message: "the terminal event broke the contract" });
  } catch (err) {
    const failure = { endMs: since(), message: err instanceof Error ? err.message : String(err) };
    if (options.abandon?.aborted) return end({ ...failure, outcome: "abandoned", code: ClientFailureCode.abandoned });
    if (err instanceof KBAlignError) return end({ ...failure, code: err.code });
    // streamQuery fails with a CliError only when its timer fires or the connection ends.
    if (err instanceof CliError) return end({ ...failure, code: nc.isClosed() ? ClientFailureCode.disconnected : ClientFailureCode.timeout });
    throw err;
  }
}

/** Where a request stands in its run. */
export interface RequestPosition {
  index: number;
  /** performance.now() when the measured phase began. */
  phaseStartMs: number;
  /**
   * performance.now() when an open loop scheduled it: latencies count from then, not from the
   * send, so a bench that falls behind shows its delay instead of hiding it.
   */
  scheduledAt?: number;
}

/**
 * Accounts one stage event (undefined: a message that is not a valid event) at `at` ms into
 * `sample`; true when it was the terminal one (the sample is then complete).
 */
export function recordEvent(sample: RequestSample, event: StageEvent | undefined, at: number): boolean {
  sample.firstEventMs ??= at;
  if (event === undefined || event.seq !== sample.events) sample.contractProblems++;
  sample.events++;
  if (event === undefined) return false;
  switch (event.state) {
    case "recall":
      sample.recallMs ??= at;
      return false;
    case "first_answer":
      sample.firstAnswerMs ??= at;
      return false;
    case "data":
      sample.firstDataMs ??= at;
      sample.dataEvents++;
      return false;
    case "done":
      end(sample, { endMs: at, outcome: "done", timingsMs: event.timingsMs, degraded: event.degraded.map((d) => `${d.stage}:${d.code}`) });
      return true;
    case "error":
      end(sample, { endMs: at, outcome: "error", code: event.code, message: event.value });
      return true;
    default:
      return false;
  }
}

/** Typed as the sample's fields, so a misspelt outcome or code field fails to compile. */
const end = (sample: RequestSample, fields: Partial<RequestSample> & Pick<RequestSample, "endMs">): RequestSample => Object.assign(sample, fields);

/** Milliseconds kept to the microsecond: finer digits are noise, and they bloat the raw samples. */
const microseconds = (ms: number): number => Math.round(ms * 1000) / 1000;
