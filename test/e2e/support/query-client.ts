import { createInbox, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { StageEvent } from "@kbalign/contracts";

// A client of the public contract only: JSON on kbalign.v1.query with a reply inbox, stage events
// back on it, `{requestId}` on kbalign.v1.cancel. Every event is checked against the published schema.

export const QUERY_SUBJECT = "kbalign.v1.query";
export const CANCEL_SUBJECT = "kbalign.v1.cancel";

export interface AskOptions {
  /** Give up (and fail) when no terminal event came within this. */
  timeoutMs?: number;
  /** Keep listening this long after the terminal event, to catch any event sent after it. */
  lingerMs?: number;
  /** Sees each event as it arrives (e.g. to cancel after `recall`). */
  onEvent?: (event: StageEvent) => void;
  /** Sent with the request (e.g. a W3C `traceparent`). */
  headers?: MsgHdrs;
}

/** Publishes one request (an object as JSON, or a raw string as is) and returns its events. */
export async function ask(nc: NatsConnection, body: object | string, options: AskOptions = {}): Promise<StageEvent[]> {
  // Under the connection's inbox prefix: with authorization, a user may only subscribe under its own.
  const inbox = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
  const sub = nc.subscribe(inbox);
  const events: StageEvent[] = [];
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    sub.unsubscribe();
  }, options.timeoutMs ?? 15_000);
  let lingerTimer: NodeJS.Timeout | undefined;
  try {
    nc.publish(QUERY_SUBJECT, typeof body === "string" ? body : JSON.stringify(body), { reply: inbox, ...(options.headers ? { headers: options.headers } : {}) });
    for await (const msg of sub) {
      if (msg.headers?.code === 503) throw new Error(`no responders on ${QUERY_SUBJECT}: is the orchestrator running?`);
      const raw: unknown = JSON.parse(msg.string());
      const parsed = StageEvent.safeParse(raw);
      if (!parsed.success) throw new Error(`event breaks the contract: ${msg.string()}\n${parsed.error.message}`);
      events.push(parsed.data);
      options.onEvent?.(parsed.data);
      if ((parsed.data.state === "done" || parsed.data.state === "error") && lingerTimer === undefined) {
        lingerTimer = setTimeout(() => sub.unsubscribe(), options.lingerMs ?? 0);
      }
    }
    if (timedOut) throw new Error(`no terminal event within ${options.timeoutMs ?? 15_000} ms; got: ${JSON.stringify(events.map((e) => e.state))}`);
    return events;
  } finally {
    clearTimeout(timer);
    clearTimeout(lingerTimer);
    sub.unsubscribe();
  }
}

export const cancel = (nc: NatsConnection, requestId: string): void => nc.publish(CANCEL_SUBJECT, JSON.stringify({ requestId }));

/** True when some instance of the micro service answers a PING (it registers once it is ready). */
export async function answersPing(nc: NatsConnection, serviceName: string): Promise<boolean> {
  try {
    await nc.request(`$SRV.PING.${serviceName}`, "", { timeout: 1_000 });
    return true;
  } catch {
    // No responders or no reply yet: not ready, which is the answer.
    return false;
  }
}
