import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { headers as createHeaders, type MsgHdrs } from "@nats-io/nats-core";
import { sharedSubjectOf } from "@kbalign/contracts";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_TEMPLATE,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_SYSTEM_NATS,
} from "./semconv.js";

// W3C trace context travels in NATS headers, lower-case keys (MsgHdrs.get is case-sensitive).
const setter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key.toLowerCase(), value),
};
const getter: TextMapGetter<MsgHdrs | undefined> = {
  get: (carrier, key) => carrier?.get(key.toLowerCase()) || undefined,
  keys: (carrier) => (carrier ? carrier.keys() : []),
};

export const tracer = trace.getTracer("@kbalign/nats");

/**
 * Headers carrying the active trace context; undefined when there is none to carry (tracing off),
 * so the message goes as a plain PUB: empty headers still cost an HPUB and a header parse at the receiver.
 */
export function injectTraceContext(ctx: Context = context.active()): MsgHdrs | undefined {
  const h = createHeaders();
  propagation.inject(ctx, h, setter);
  return h.keys().length === 0 ? undefined : h;
}

export function extractTraceContext(h: MsgHdrs | undefined): Context {
  return propagation.extract(context.active(), h, getter);
}

/** A PRODUCER span `send <subject>`; run the publish inside it so its context is injected. */
export function startSendSpan(subject: string, bodyBytes: number): Span {
  // Named after the shared subject: one span name whichever replica's own subject was used.
  return tracer.startSpan(`send ${sharedSubjectOf(subject)}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_NATS,
      [ATTR_MESSAGING_DESTINATION_NAME]: subject,
      ...destinationTemplate(subject),
      [ATTR_MESSAGING_OPERATION_TYPE]: "send",
      [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: bodyBytes,
    },
  });
}

/** For a replica's own subject, the shared one it stands for (spans are named after it). */
function destinationTemplate(subject: string): Record<string, string> {
  const shared = sharedSubjectOf(subject);
  return shared === subject ? {} : { [ATTR_MESSAGING_DESTINATION_TEMPLATE]: `${shared}.instance.{id}` };
}

/** A CONSUMER span `process <subject>`, child of the context the message carried. */
export function startProcessSpan(subject: string, h: MsgHdrs | undefined, bodyBytes: number, queue?: string): { span: Span; ctx: Context } {
  const parent = extractTraceContext(h);
  const span = tracer.startSpan(
    `process ${sharedSubjectOf(subject)}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_NATS,
        [ATTR_MESSAGING_DESTINATION_NAME]: subject,
        ...destinationTemplate(subject),
        [ATTR_MESSAGING_OPERATION_TYPE]: "process",
        [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: bodyBytes,
        ...(queue ? { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: queue } : {}),
      },
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Marks a span failed with the kbalign error code as `error.type`. */
export function recordSpanError(span: Span, code: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, code);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
