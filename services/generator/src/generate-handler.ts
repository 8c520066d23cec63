import { GenerationError, KBAlignError, OverloadedError, TimeoutError, UnavailableError, type GenerateReply, type GenerateRequest } from "@kbalign/contracts";
import { splitText, type StreamSender } from "@kbalign/nats";
import { observeWithExemplar, type Logger } from "@kbalign/telemetry";
import { msUntil, raceAbort } from "./abort.js";
import type { FinishReason, GenerationBackend } from "./backends/backend.js";
import type { Cancellations } from "./cancellations.js";
import type { GeneratorMetrics } from "./metrics.js";

export interface GenerateHandlerDeps {
  backend: GenerationBackend;
  log: Logger;
  metrics: Pick<GeneratorMetrics, "chunks" | "timeToFirstChunk">;
  cancellations: Cancellations;
  /**
   * Most bytes one chunk's text may take, JSON-encoded, so that the chunk (and the stage event the
   * orchestrator makes of it) fits NATS' max_payload; unlimited when absent.
   */
  maxChunkTextBytes?: () => number;
  /** Streams this replica runs at once; more are refused at once with a retryable OVERLOADED. */
  maxInFlight?: number;
}

/**
 * `kbalign.v1.generate`: runs the backend and streams its text as `chunk` messages, then one `end`.
 * Pieces the backend yields within one event-loop turn go out as one chunk, since a NATS message
 * per token costs far more than one per turn (NATS-NOTES); a chunk too large for one NATS message
 * goes out as several, in order. A caller that asks for `lastChunkEnds` gets the last chunk and the
 * end in one message (a chunk with `finishReason`); others get a separate `end`. A cancel or the deadline stops the
 * backend and ends the stream with CANCELLED or TIMEOUT (thrown: the endpoint sends the envelope).
 */
export function createGenerateHandler(deps: GenerateHandlerDeps): (req: GenerateRequest, send: StreamSender) => Promise<void> {
  const { backend, cancellations, metrics } = deps;
  return async (req, send) => {
    if (deps.maxInFlight !== undefined && cancellations.size >= deps.maxInFlight) {
      // Refused before any work: the caller retries on another replica or answers without us.
      throw new OverloadedError(`too many generations in flight (limit ${deps.maxInFlight}); retry shortly`);
    }
    const started = performance.now();
    const labels = { backend: backend.name, purpose: req.purpose };
    // Made only when something is logged: a pino child serialises its bindings, on every request otherwise.
    let requestLog: Logger | undefined;
    const log = (): Logger => (requestLog ??= deps.log.child({ streamId: req.streamId, purpose: req.purpose }));
    const registration = cancellations.register(req.streamId);
    // Aborted with the kbalign error that ends the stream: the deadline, or a failed send.
    const local = new AbortController();
    const deadlineTimer = setTimeout(() => local.abort(new TimeoutError("generation did not finish before its deadline")), msUntil(req.deadline));
    const signal = AbortSignal.any([registration.signal, local.signal]);
    // Past the caller's first-chunk budget it answers without us: stop waiting, and let the backend's
    // circuit breaker count a silent LLM as the failure it is.
    const firstChunkTimer =
      req.firstChunkBy === undefined
        ? undefined
        : setTimeout(() => {
            if (chunks === 0 && pending === "") local.abort(new TimeoutError("the language model sent no text within the first-chunk budget"));
          }, msUntil(req.firstChunkBy));

    let seq = 0;
    let chunks = 0;
    let chars = 0;
    let pending = "";
    let flushTimer: NodeJS.Immediate | undefined;
    let endSent = false;
    const reply = (message: GenerateReply): void => send(message);
    /** Sends the pending text; with `finishReason`, its last chunk also ends the stream when the caller reads that. */
    const flush = (finishReason?: FinishReason): void => {
      clearImmediate(flushTimer);
      flushTimer = undefined;
      if (pending === "") return;
      if (chunks === 0) observeWithExemplar(metrics.timeToFirstChunk, labels, (performance.now() - started) / 1000);
      const texts = deps.maxChunkTextBytes ? splitText(pending, deps.maxChunkTextBytes()) : [pending];
      for (const [i, text] of texts.entries()) {
        const ends = req.lastChunkEnds === true && finishReason !== undefined && i === texts.length - 1;
        reply(ends ? { type: "chunk", seq: seq++, text, finishReason } : { type: "chunk", seq: seq++, text });
        if (ends) endSent = true;
        chunks++;
        metrics.chunks.inc(labels);
      }
      chars += pending.length;
      pending = "";
    };
    // Runs outside the handler's await chain, so a failed send must not escape as an uncaught exception.
    const flushAtTurnEnd = (): void => {
      try {
        flush();
      } catch (err) {
        local.abort(new UnavailableError("cannot send generated text: the NATS connection failed", { cause: err }));
      }
    };

    let pieces: AsyncGenerator<string, FinishReason, undefined> | undefined;
    let finished = false;
    try {
      if (req.deadline <= Date.now()) throw new TimeoutError("generation deadline had passed when the request arrived");
      pieces = backend.generate(req, signal);
      let finishReason: FinishReason;
      try {
        for (;;) {
          const next = await raceAbort(pieces.next(), signal);
          if (next.done) {
            finishReason = next.value;
            break;
          }
          if (next.value === "") continue;
          pending += next.value;
          flushTimer ??= setImmediate(flushAtTurnEnd);
        }
        finished = true;
      } catch (err) {
        // The signal's reason is the kbalign error that explains the stop (CancelledError, TimeoutError, …).
        if (signal.aborted) throw signal.reason as unknown;
        // Text that arrived before the failure is still the start of the answer: send it first.
        flush();
        throw err;
      }
      // One message for the last text and the end, where the caller reads it (NATS-NOTES: each message costs).
      flush(finishReason);
      if (!endSent) reply({ type: "end", seq: seq++, finishReason });
      if (deps.log.isLevelEnabled("debug")) log().debug({ chunks, chars, finishReason, durationSeconds: (performance.now() - started) / 1000 }, "generation finished");
    } catch (err) {
      logFailure(log(), err, chunks);
      throw err;
    } finally {
      clearTimeout(deadlineTimer);
      clearTimeout(firstChunkTimer);
      clearImmediate(flushTimer);
      registration.release();
      // A backend left suspended (we stopped waiting for it) must still run its clean-up,
      // e.g. abort its HTTP request.
      if (pieces && !finished) abandon(pieces, log());
    }
  };
}

function abandon(pieces: AsyncGenerator<string, FinishReason, undefined>, log: Logger): void {
  pieces.return("abandoned").then(
    () => undefined,
    // Its failure after we stopped listening changes nothing for the caller; keep it visible.
    (err: unknown) => log.debug({ err }, "abandoned backend failed while stopping"),
  );
}

function logFailure(log: Logger, err: unknown, chunks: number): void {
  if (err instanceof GenerationError) log.warn({ err, chunks }, "generation failed");
  else if (err instanceof KBAlignError) log.debug({ code: err.code, chunks }, "generation stopped");
  // Anything else is a bug: the endpoint logs it with its stack as INTERNAL.
}
