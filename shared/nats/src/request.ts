import { context, trace } from "@opentelemetry/api";
import { errors as natsErrors, type Msg, type NatsConnection } from "@nats-io/nats-core";
import { sharedSubjectOf, ErrorEnvelope, fromWire, InternalError, TimeoutError, UnavailableError, CancelledError, type KBAlignError } from "@kbalign/contracts";
import type { z } from "zod";
import { decodeJson, encodeJson } from "./json.js";
import { injectTraceContext, recordSpanError, startSendSpan } from "./trace-context.js";
import { replyMux, type ReplyRoute } from "./reply-mux.js";

const SERVICE_ERROR_HEADER = "Nats-Service-Error-Code";

/** UNAVAILABLE because nobody subscribes to the subject: a replica's own subject means it is gone. */
export class NoRespondersError extends UnavailableError {
  constructor(readonly subject: string) {
    super(`no responders for ${sharedSubjectOf(subject)}`);
  }
}
const NO_RESPONDERS_STATUS = 503;

/** The error a reply carries, if it is an error envelope (services-framework headers set). */
export function replyError(msg: Msg, subject: string): KBAlignError | undefined {
  const status = msg.headers?.code ?? 0;
  // A status message with no body: the server saying nobody subscribes to the subject.
  if (status === NO_RESPONDERS_STATUS && msg.data.length === 0) return new NoRespondersError(subject);
  if (!msg.headers?.has(SERVICE_ERROR_HEADER)) return undefined;
  try {
    const envelope = ErrorEnvelope.safeParse(decodeJson(msg.data));
    if (envelope.success) return fromWire(envelope.data.error);
  } catch {
    // fall through: an error reply without our envelope (another framework's service)
  }
  return new InternalError(`${subject} failed: ${msg.headers.get("Nats-Service-Error") || "unknown error"}`);
}

function parseReply<T>(msg: Msg, subject: string, schema: z.ZodType<T>): T {
  const error = replyError(msg, subject);
  if (error) throw error;
  let body: unknown;
  try {
    body = decodeJson(msg.data);
  } catch {
    throw new InternalError(`malformed reply from ${subject}: not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new InternalError(`malformed reply from ${subject}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

export interface RequestOptions<T> {
  response: z.ZodType<T>;
  timeoutMs: number;
}

/**
 * One request, one reply. Failures arrive as kbalign errors: no responders -> UNAVAILABLE,
 * no reply in time -> TIMEOUT, an error envelope -> the error class of its code.
 * The reply comes through the connection's reply mux (see replyMux): nats.js' own `request()`
 * builds an Error, stack and all, for every request it completes.
 */
export async function requestJson<T>(nc: NatsConnection, subject: string, body: unknown, options: RequestOptions<T>): Promise<T> {
  const data = encodeJson(body);
  const span = startSendSpan(subject, data.length);
  let route: ReplyRoute | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const msg = await new Promise<Msg>((resolve, reject) => {
      route = replyMux(nc).open({
        onMessage: resolve,
        onClosed: () => reject(new UnavailableError(`nats connection closed while calling ${subject}`)),
      });
      timer = setTimeout(() => reject(new TimeoutError(`${subject} did not answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      const reply = route.subject;
      context.with(trace.setSpan(context.active(), span), () => nc.publish(subject, data, { reply, headers: injectTraceContext() }));
    });
    return parseReply(msg, subject, options.response);
  } catch (err) {
    const error = mapRequestError(err, subject);
    recordSpanError(span, error.code);
    throw error;
  } finally {
    clearTimeout(timer);
    route?.close();
    span.end();
  }
}

/**
 * A failure of a call as a kbalign error. Replies come through the reply mux, so no responders
 * arrives as a status reply (replyError) and timeouts from this module's own timers: what nats.js
 * itself throws here is a publish on a closed or draining connection.
 */
function mapRequestError(err: unknown, subject: string): KBAlignError {
  if (err instanceof natsErrors.ClosedConnectionError || err instanceof natsErrors.DrainingConnectionError) {
    return new UnavailableError(`nats connection closed while calling ${subject}`);
  }
  if (err && typeof err === "object" && "code" in err && "retryable" in err) return err as KBAlignError;
  return new InternalError(`${subject} failed`, { cause: err });
}

export interface StreamRequestOptions<T> {
  /** Schema of each message of the stream. */
  message: z.ZodType<T>;
  /** True for the message that ends the stream. */
  isLast: (message: T) => boolean;
  /** The whole stream must end within this. */
  timeoutMs: number;
  /** ... and no gap between two messages may exceed this (a dead responder). */
  idleTimeoutMs: number;
  /** The wait for the first message (default: idleTimeoutMs). */
  firstMessageTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Publishes one request (`body` as JSON, or bytes already encoded) and yields its streamed reply
 * messages in order, until `isLast`.
 * Ends with a kbalign error on an error envelope, no responders, timeout, idle gap or abort.
 */
export async function* requestStream<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  options: StreamRequestOptions<T>,
): AsyncGenerator<T, void, undefined> {
  // Already encoded, e.g. by a caller that fitted it to the payload budget.
  const data = body instanceof Uint8Array ? body : encodeJson(body);
  const span = startSendSpan(subject, data.length);
  const deadline = Date.now() + options.timeoutMs;
  // Replies received and not yet taken; `wake` resumes the loop below when one comes or the stream fails.
  const queue: Msg[] = [];
  let wake: (() => void) | undefined;
  let failure: KBAlignError | undefined;
  const fail = (error: KBAlignError) => {
    failure ??= error;
    wake?.();
  };
  const route = replyMux(nc).open({
    onMessage: (msg) => {
      queue.push(msg);
      wake?.();
    },
    onClosed: () => fail(new UnavailableError(`nats connection closed while streaming ${subject}`)),
  });
  let timer: NodeJS.Timeout | undefined;
  let received = 0;
  const armTimer = () => {
    clearTimeout(timer);
    const remaining = deadline - Date.now();
    const idleMs = received === 0 ? (options.firstMessageTimeoutMs ?? options.idleTimeoutMs) : options.idleTimeoutMs;
    const wait = Math.min(remaining, idleMs);
    timer = setTimeout(
      () =>
        fail(
          remaining <= idleMs
            ? new TimeoutError(`${subject} did not finish within ${options.timeoutMs} ms`)
            : new TimeoutError(`${subject} sent nothing for ${idleMs} ms`),
        ),
      Math.max(0, wait),
    );
  };
  const onAbort = () => fail(new CancelledError(`${subject} cancelled`));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new CancelledError(`${subject} cancelled`);
    armTimer();
    context.with(trace.setSpan(context.active(), span), () =>
      nc.publish(subject, data, { reply: route.subject, headers: injectTraceContext() }),
    );
    for (;;) {
      while (queue.length === 0 && failure === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (failure) throw failure;
      const msg = queue.shift() as Msg;
      received++;
      armTimer();
      const message = parseReply(msg, subject, options.message);
      yield message;
      if (options.isLast(message)) return;
    }
  } catch (err) {
    const error = mapRequestError(err, subject);
    recordSpanError(span, error.code);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    route.close();
    span.end();
  }
}
