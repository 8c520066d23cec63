import { KBAlignError, Subjects, type ChatMessage, type StageEvent } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { CliError } from "../errors.js";
import { writeLine, type Terminal } from "../terminal.js";
import { createReadablePrinter, printJsonLine } from "./event-printer.js";
import { newRequestId, streamQuery } from "./query-stream.js";

/**
 * How much longer than the request's own timeout the CLI waits: the service promises a terminal
 * event within timeoutMs, so this only covers transit, and the CLI never waits forever.
 */
export const CLIENT_GRACE_MS = 2_000;

export interface AskOptions {
  question: string;
  collection: string;
  topn?: number;
  timeoutMs: number;
  /** Becomes a `system` message: the orchestrator takes the last one as the system prompt. */
  system?: string;
  /** Print raw events as JSON lines instead of readable stages. */
  json: boolean;
  requestId?: string;
  signal?: AbortSignal;
}

export interface AskOutcome {
  requestId: string;
  /** The `done` or `error` event, when one arrived. */
  terminal?: StageEvent;
  /** 0 after `done`, 1 otherwise. */
  exitCode: number;
}

/** Sends one question and prints its events as they arrive. */
export async function askQuestion(nc: NatsConnection, options: AskOptions, terminal: Terminal): Promise<AskOutcome> {
  const requestId = options.requestId ?? newRequestId();
  const messages: ChatMessage[] = options.system === undefined ? [] : [{ role: "system", content: options.system }];
  const print = createReadablePrinter(terminal);
  let expectedSeq = 0;
  let last: StageEvent | undefined;
  try {
    const events = streamQuery(
      nc,
      { query: options.question, collection: options.collection, messages, timeoutMs: options.timeoutMs, requestId, ...(options.topn === undefined ? {} : { topn: options.topn }) },
      { clientTimeoutMs: options.timeoutMs + CLIENT_GRACE_MS, ...(options.signal ? { signal: options.signal } : {}) },
    );
    for await (const received of events) {
      if (options.json) printJsonLine(received.raw, terminal);
      if (!received.event) {
        writeLine(terminal.stderr, `warning: malformed event from the orchestrator (${received.problem ?? "invalid"})`);
        continue;
      }
      const event = received.event;
      if (event.seq !== expectedSeq) writeLine(terminal.stderr, `warning: expected event seq ${expectedSeq}, got ${event.seq} (lost or reordered message)`);
      expectedSeq = event.seq + 1;
      if (!options.json) print(event);
      last = event;
    }
  } catch (err) {
    if (err instanceof KBAlignError && err.code === "UNAVAILABLE") {
      throw new CliError(`no orchestrator answers on ${Subjects.query}: is the stack running? (start it with \`kbalign up\`)`);
    }
    throw err;
  }
  const terminalEvent = last?.state === "done" || last?.state === "error" ? last : undefined;
  return { requestId, ...(terminalEvent ? { terminal: terminalEvent } : {}), exitCode: terminalEvent?.state === "done" ? 0 : 1 };
}
