import { randomUUID } from "node:crypto";
import { isTerminal, StageEvent, Subjects, type CancelRequest, type QueryRequestInput } from "@kbalign/contracts";
import { decodeJson, encodeJson, replyError, type NatsConnection } from "@kbalign/nats";
import { CliError } from "../errors.js";
import { openReplyStream } from "./reply-stream.js";

/** One message of a query's reply stream, decoded; `event` is absent when it broke the contract. */
export interface ReceivedEvent {
  /** The message as JSON, unknown keys kept (what `--json` prints). */
  raw: unknown;
  event?: StageEvent;
  /** Why the message is not a valid stage event. */
  problem?: string;
}

export interface QueryStreamOptions {
  /** The stream must end within this (a little more than the request's own timeoutMs). */
  clientTimeoutMs: number;
  /** Ends the stream early (e.g. no CANCELLED event came after a cancel). */
  signal?: AbortSignal;
}

/**
 * Publishes a query with its own reply inbox and yields every event until the terminal one.
 * Not request(): the answer is a stream of replies, not one. The inbox is one of the connection's
 * reply mux, so a query costs one PUB and no subscription of its own.
 */
export async function* streamQuery(
  nc: NatsConnection,
  request: QueryRequestInput & { requestId: string },
  options: QueryStreamOptions,
): AsyncGenerator<ReceivedEvent, void, undefined> {
  const replies = openReplyStream(nc);
  let failure: Error | undefined;
  const stop = (error: Error) => {
    failure ??= error;
    replies.close();
  };
  const timer = setTimeout(
    () => stop(new CliError(`no answer completed within ${options.clientTimeoutMs} ms: is the orchestrator running and reachable?`)),
    options.clientTimeoutMs,
  );
  const onAbort = () => stop(options.signal?.reason instanceof Error ? options.signal.reason : new CliError("stopped"));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    nc.publish(Subjects.query, encodeJson(request), { reply: replies.inbox });
    for await (const msg of replies.messages) {
      // The server answers "no responders" when no orchestrator subscribes to the query subject.
      const error = replyError(msg, Subjects.query);
      if (error) throw error;
      let raw: unknown;
      try {
        raw = decodeJson(msg.data);
      } catch {
        yield { raw: msg.string(), problem: "not JSON" };
        continue;
      }
      const parsed = StageEvent.safeParse(raw);
      if (parsed.success) yield { raw, event: parsed.data };
      else yield { raw, problem: parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ") };
      if (parsed.success ? isTerminal(parsed.data) : hasTerminalState(raw)) return;
    }
    throw failure ?? new CliError("the NATS connection closed before the answer was complete");
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    replies.close();
  }
}

const hasTerminalState = (raw: unknown): boolean =>
  typeof raw === "object" && raw !== null && "state" in raw && typeof raw.state === "string" && isTerminal({ state: raw.state });

/** Asks every orchestrator replica to stop the request; it then ends with a CANCELLED event. */
export async function sendCancel(nc: NatsConnection, requestId: string): Promise<void> {
  const body: CancelRequest = { requestId };
  nc.publish(Subjects.cancel, encodeJson(body));
  await nc.flush();
}

/** A request id the orchestrator accepts (REQUEST_ID_PATTERN) and that names the CLI as its origin. */
export const newRequestId = (): string => `cli-${randomUUID()}`;
