import { context } from "@opentelemetry/api";
import type { Service, ServiceMsg } from "@nats-io/services";
import type { MsgHdrs } from "@nats-io/nats-core";
import { badRequestFromZod, BadRequestError, toKBAlignError, type ErrorCode, type KBAlignError } from "@kbalign/contracts";
import type { z } from "zod";
import { endpointStatsRecorder, type EndpointStatsRecorder } from "./endpoint-stats.js";
import { toHeaderValue } from "./header-value.js";
import { decodeJson, encodeJson } from "./json.js";
import type { Log } from "./log.js";
import { recordSpanError, startProcessSpan } from "./trace-context.js";

/** HTTP-like numbers for `Nats-Service-Error-Code`, so `nats micro` and its users see familiar codes. */
export const serviceErrorStatus: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  COLLECTION_NOT_FOUND: 404,
  CANCELLED: 499,
  OVERLOADED: 429,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
  RETRIEVAL_FAILED: 502,
  GENERATION_FAILED: 502,
  INTERNAL: 500,
};

/** How one handled message ended, for metrics. */
export interface Outcome {
  endpoint: string;
  durationSeconds: number;
  /** "OK", or the code of the error the caller received. */
  code: ErrorCode | "OK";
}

export interface HandlerContext {
  subject: string;
  headers: MsgHdrs | undefined;
}

interface EndpointBase {
  /** Endpoint name shown by `nats micro info`. */
  name: string;
  subject: string;
  /**
   * Queue group; the service's default when absent. Note: the services framework (3.0.0-25)
   * treats an endpoint's `queue: ""` as "use the service's queue", so an endpoint every replica
   * must receive needs a service created with `queue: ""` as well.
   */
  queue?: string;
  log: Log;
  observe?: (outcome: Outcome) => void;
}

export interface RawEndpointSpec extends EndpointBase {
  /** Handles one message; must reply itself. Thrown errors are logged and answered as error envelopes. */
  handle: (msg: ServiceMsg) => Promise<ErrorCode | "OK">;
}

/**
 * Adds an endpoint whose handler is async. The services runtime catches only synchronous throws,
 * so this awaits the handler, answers anything it throws, opens the `process` span and records
 * the outcome. The runtime also times and counts errors only around the synchronous call, so
 * the rest of each handling is added to the endpoint's `$SRV.STATS` figures when it ends.
 */
export function serveRaw(service: Service, spec: RawEndpointSpec): void {
  service.addEndpoint(spec.name, {
    subject: spec.subject,
    ...(spec.queue === undefined ? {} : { queue: spec.queue }),
    handler: (err, msg) => {
      if (err) {
        spec.log.error({ err, endpoint: spec.name }, "endpoint subscription failed");
        return;
      }
      const handling = handleOne(spec, msg);
      const returned = performance.now();
      void handling.then((ended) => stats?.record((ended.at - returned) / 1000, ended.error));
    },
  });
  const stats: EndpointStatsRecorder | undefined = endpointStatsRecorder(service, spec.name);
  if (!stats) spec.log.warn({ endpoint: spec.name }, "services framework stats out of reach: $SRV.STATS times only the synchronous part");
}

/** When a handling ended (performance.now()), and the error its caller was answered with. */
interface Ended {
  at: number;
  error?: string;
}

/** Never rejects: every failure is answered, logged or both. */
async function handleOne(spec: RawEndpointSpec, msg: ServiceMsg): Promise<Ended> {
  const started = performance.now();
  const { span, ctx } = startProcessSpan(spec.subject, msg.headers, msg.data.length, spec.queue);
  let code: ErrorCode | "OK";
  let errorText: string | undefined;
  try {
    code = await context.with(ctx, () => spec.handle(msg));
  } catch (thrown) {
    const error = toKBAlignError(thrown);
    code = error.code;
    errorText = `${error.code}: ${error.message}`;
    if (error.code === "INTERNAL") spec.log.error({ err: thrown, endpoint: spec.name }, "endpoint handler failed");
    try {
      respondWithError(msg, error);
    } catch (replyFailed) {
      // The connection closed under us: nobody can be told any more, so say it in the log.
      spec.log.warn({ err: replyFailed, endpoint: spec.name, code: error.code }, "could not send error reply");
    }
  }
  if (code !== "OK") recordSpanError(span, code);
  span.end();
  const at = performance.now();
  // In the span's context (ended, still identified) so the endpoint histogram's exemplar names its trace.
  context.with(ctx, () => spec.observe?.({ endpoint: spec.name, durationSeconds: (at - started) / 1000, code }));
  // A raw handler that answered with an error itself names only its code.
  return code === "OK" ? { at } : { at, error: errorText ?? code };
}

/**
 * Replies with the error envelope and the services framework's error headers. The header carries the
 * message on one line (nats.js refuses CR/LF there and would drop the reply); the body keeps it whole.
 */
export function respondWithError(msg: ServiceMsg, error: KBAlignError): void {
  if (!msg.reply) return;
  const description = toHeaderValue(error.message) || error.code;
  msg.respondError(serviceErrorStatus[error.code], description, encodeJson({ error: error.toWire() }));
}

/** Decodes and validates a request body; malformed JSON or a failed schema become BAD_REQUEST naming the field. */
export function decodeRequest<T>(data: Uint8Array, schema: z.ZodType<T>): T {
  let body: unknown;
  try {
    body = decodeJson(data);
  } catch {
    throw new BadRequestError("request body is not valid JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequestFromZod(parsed.error);
  return parsed.data;
}

export interface EndpointSpec<Req, Res> extends EndpointBase {
  request: z.ZodType<Req>;
  handle: (req: Req, ctx: HandlerContext) => Promise<Res>;
}

/** A request-reply endpoint: decode + validate, await the handler, reply JSON or an error envelope. */
export function serveEndpoint<Req, Res>(service: Service, spec: EndpointSpec<Req, Res>): void {
  serveRaw(service, {
    ...spec,
    handle: async (msg) => {
      const req = decodeRequest(msg.data, spec.request);
      const res = await spec.handle(req, { subject: msg.subject, headers: msg.headers });
      msg.respond(encodeJson(res));
      return "OK";
    },
  });
}

/** Sends one message of a streamed reply to the request's reply subject. */
export type StreamSender = (body: unknown) => void;

export interface StreamEndpointSpec<Req> extends EndpointBase {
  request: z.ZodType<Req>;
  /** Sends any number of messages with `send`; a throw ends the stream with an error envelope. */
  handle: (req: Req, send: StreamSender, ctx: HandlerContext) => Promise<void>;
}

/** A streamed-reply endpoint: many messages to the request's reply subject. */
export function serveStreamEndpoint<Req>(service: Service, spec: StreamEndpointSpec<Req>): void {
  serveRaw(service, {
    ...spec,
    handle: async (msg) => {
      const req = decodeRequest(msg.data, spec.request);
      const send: StreamSender = (body) => {
        if (msg.reply) msg.respond(encodeJson(body));
      };
      await spec.handle(req, send, { subject: msg.subject, headers: msg.headers });
      return "OK";
    },
  });
}
