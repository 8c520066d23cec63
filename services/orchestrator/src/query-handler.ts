import { randomUUID } from "node:crypto";
import { BadRequestError, isTerminal, KBAlignError, type ErrorCode, type StageEvent } from "@kbalign/contracts";
import { decodeJson, DEFAULT_MAX_PAYLOAD_BYTES, maxBodyBytes } from "@kbalign/nats";
import { createEventStream, readRequestId, validateQuery, type KBAlign } from "@kbalign/pipeline";
import { observeWithExemplar, type Logger } from "@kbalign/telemetry";
import type { AdaptiveLimit } from "./adaptive-limit.js";
import type { Admission } from "./admission.js";
import type { OrchestratorMetrics } from "./metrics.js";
import type { RequestRegistry } from "./request-registry.js";
import { fitEvent } from "./event-budget.js";
import { toPublicEvent } from "./public-event.js";
import { checkRequestLimits, PROTOCOL_REQUEST_LIMITS, type RequestLimits } from "./request-limits.js";

/** The part of a NATS message the handler uses. */
export interface QueryMessage {
  data: Uint8Array;
  reply?: string;
  respond(data: Uint8Array): boolean;
}

export interface QueryHandlerDeps {
  pipeline: Pick<KBAlign, "run">;
  admission: Admission;
  limiter?: AdaptiveLimit;
  requests: RequestRegistry;
  maxRequestBytes: number;
  /** This deployment's KBALIGN_MAX_* limits on a query (the protocol's bounds when absent). */
  requestLimits?: RequestLimits;
  /** Largest event body NATS carries (the server's max_payload less room for headers); 1 MiB less that room when absent. */
  maxEventBytes?: () => number;
  metrics: OrchestratorMetrics;
  log: Logger;
}

type Outcome = ErrorCode | "OK";

/**
 * `kbalign.v1.query`: shed past the limit → validate → admit → run the pipeline → publish every stage event on the
 * reply subject, in order. The public contract answers everything, malformed input included,
 * with `error` events rather than service error envelopes, so this handler replies itself.
 * Returns the outcome (OK or the terminal error code) for the endpoint metrics.
 */
export function createQueryHandler(deps: QueryHandlerDeps) {
  const { metrics, log } = deps;
  const maxEventBytes = deps.maxEventBytes ?? (() => maxBodyBytes(DEFAULT_MAX_PAYLOAD_BYTES));
  const publish = (msg: QueryMessage, event: StageEvent) => publishWithin(msg, event, maxEventBytes(), log, metrics);
  return async (msg: QueryMessage): Promise<Outcome> => {
    const started = performance.now();
    const finish = (code: Outcome): Outcome => {
      metrics.requests.inc({ code });
      observeWithExemplar(metrics.responseTime, {}, (performance.now() - started) / 1000);
      return code;
    };
    if (!msg.reply) {
      // Nobody could hear the answer: doing the work would be waste.
      log.warn({ bytes: msg.data.length }, "query without a reply subject dropped");
      return finish("BAD_REQUEST");
    }
    const reject = (error: KBAlignError, requestId: string | undefined): Outcome => {
      const event = createEventStream(requestId ?? randomUUID()).fail(error);
      if (event) publish(msg, event);
      return finish(error.code);
    };

    if (msg.data.length > deps.maxRequestBytes) {
      return reject(new BadRequestError(`request body is ${msg.data.length} bytes, more than the limit of ${deps.maxRequestBytes}`), undefined);
    }
    let body: unknown;
    try {
      body = decodeJson(msg.data);
    } catch {
      return reject(new BadRequestError("request body is not valid JSON"), undefined);
    }
    // Past the limit (or shutting down), shed before validating: at twice the capacity half the
    // queries are refused, and what each refusal costs is taken from the admitted ones.
    deps.limiter?.arrival();
    const refused = deps.admission.refusal();
    if (refused) return reject(refused, readRequestId(body));
    const validation = validateQuery(body);
    if (!validation.success) return reject(validation.error, validation.requestId);
    const overLimit = checkRequestLimits(validation.request, deps.requestLimits ?? PROTOCOL_REQUEST_LIMITS);
    if (overLimit) return reject(overLimit, validation.request.requestId);
    const requestId = validation.request.requestId ?? randomUUID();
    if (deps.requests.has(requestId)) {
      return reject(new BadRequestError(`requestId '${requestId}' is already in flight`, "requestId"), requestId);
    }

    let release: () => void;
    try {
      release = deps.admission.admit();
    } catch (err) {
      // OVERLOADED at the limit, UNAVAILABLE once shutting down: both retryable, both at once.
      if (err instanceof KBAlignError) return reject(err, requestId);
      throw err;
    }
    const controller = new AbortController();
    deps.requests.register(requestId, controller);
    metrics.inFlight.set(deps.admission.inFlight());
    deps.limiter?.inFlight(deps.admission.inFlight());
    metrics.admissionLimit.set(deps.admission.limit());
    let outcome: Outcome = "INTERNAL";
    let firstEvent = true;
    let firstData = true;
    let firstDataMs: number | undefined;
    try {
      for await (const event of deps.pipeline.run({ ...validation.request, requestId }, { signal: controller.signal })) {
        const sent = publish(msg, event);
        if (!sent) {
          // The client cannot be reached (connection closed): stop the work for nobody.
          controller.abort();
          outcome = "UNAVAILABLE";
          break;
        }
        if (firstEvent) {
          firstEvent = false;
          observeWithExemplar(metrics.timeToFirstEvent, {}, (performance.now() - started) / 1000);
        }
        if (firstData && event.state === "data") {
          firstData = false;
          firstDataMs = performance.now() - started;
          observeWithExemplar(metrics.timeToFirstData, {}, firstDataMs / 1000);
        }
        // The limiter learns from answers that took the normal path: a degraded one waited for a
        // backend's timeout (or skipped it), which says nothing about queueing here.
        if (sent.state === "done" && sent.degraded.length === 0) deps.limiter?.sample(firstDataMs ?? performance.now() - started);
        if (isTerminal(sent)) {
          outcome = terminalCode(sent);
          // An event too large for NATS was replaced by its terminal error: nothing may follow it.
          if (!isTerminal(event)) {
            controller.abort();
            break;
          }
        }
      }
    } finally {
      release();
      deps.requests.unregister(requestId, controller);
      metrics.inFlight.set(deps.admission.inFlight());
      deps.limiter?.inFlight(deps.admission.inFlight());
    }
    return finish(outcome);
  };
}

function terminalCode(event: StageEvent): Outcome {
  return event.state === "error" ? event.code : "OK";
}

/**
 * Publishes one event within `maxBytes` (see fitEvent: texts cut, or the event replaced by a
 * terminal error); returns the event as sent, or undefined if it could not be sent.
 */
function publishWithin(msg: QueryMessage, event: StageEvent, maxBytes: number, log: Logger, metrics: OrchestratorMetrics): StageEvent | undefined {
  const fitted = fitEvent(toPublicEvent(event), maxBytes);
  if (fitted.fit !== "whole") {
    metrics.payloadCuts.inc({ message: event.state, fit: fitted.fit });
    log.warn({ requestId: event.requestId, seq: event.seq, state: event.state, bytes: fitted.bytes, maxBytes, fit: fitted.fit }, "stage event cut to fit max_payload");
  }
  try {
    msg.respond(fitted.data);
    return fitted.sent;
  } catch (err) {
    log.warn({ err, requestId: event.requestId, seq: event.seq }, "could not publish a stage event");
    return undefined;
  }
}
