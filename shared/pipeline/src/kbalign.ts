import { randomUUID } from "node:crypto";
import { isTerminal, toKBAlignError, type KBAlignError, type StageEvent, type StageEventBody } from "@kbalign/contracts";
import { abortable } from "./abort.js";
import { parseKBAlignConfig, type KBAlignConfig, type KBAlignConfigInput } from "./config.js";
import { createEventStream, type EventStream } from "./event-stream.js";
import { notifySafely, type PipelineObserver } from "./observer.js";
import type { GeneratorPort, RetrieverPort } from "./ports.js";
import { validateQuery, type KBAlignInput } from "./query-input.js";
import { createRequestScope, type RequestScope } from "./request-scope.js";
import { noopStageTracer, type StageTracer } from "./stage-tracer.js";
import { runStages, type StageDeps } from "./stages.js";

export interface RunOptions {
  /** Aborting it ends the run with a CANCELLED error event and aborts the ports' signals. */
  signal?: AbortSignal;
  /**
   * This run's configuration, in place of the constructor's: a snapshot of the runtime configuration
   * (validated with parseKBAlignConfig). `revision` is what `done.configRevision` reports.
   */
  config?: { config: Readonly<KBAlignConfig>; revision?: number };
}

/**
 * KBAlign retrieval-augmented answering: recall, first answer, query-expansion recall, final
 * answer, over a retriever and a generator port. The TypeScript form of the Python
 * `KBAlign(retriever, generator, config).arun(query, collection, messages, topn)`.
 */
export class KBAlign {
  /** The validated, frozen configuration (defaults filled in). */
  readonly config: Readonly<KBAlignConfig>;
  readonly #deps: StageDeps;

  /**
   * Throws KBAlignConfigError naming the bad option, TypeError for a port without its method.
   * `tracer` opens a span per stage (none by default).
   */
  constructor(
    retriever: RetrieverPort,
    generator: GeneratorPort,
    config: KBAlignConfigInput = {},
    observer: PipelineObserver = {},
    tracer: StageTracer = noopStageTracer,
  ) {
    if (typeof retriever?.retrieve !== "function") throw new TypeError("retriever must have a retrieve(req, opts) method");
    if (typeof generator?.generate !== "function") throw new TypeError("generator must have a generate(req, opts) method");
    this.config = parseKBAlignConfig(config);
    this.#deps = { retriever, generator, config: this.config, observer, tracer };
  }

  /**
   * Answers one query as a sequence of stage events: `recall`, `first_answer`,
   * `query_expansion_recall`, `data`…, then exactly one terminal `done` or `error`, numbered
   * seq 0, 1, 2, … Never throws: invalid input, failures, the deadline (`timeoutMs`, TIMEOUT) and
   * `options.signal` (CANCELLED) all end in an `error` event.
   */
  async *run(input: KBAlignInput, options: RunOptions = {}): AsyncGenerator<StageEvent, void, undefined> {
    const validation = validateQuery(input);
    if (!validation.success) {
      const events = createEventStream(validation.requestId ?? randomUUID());
      const terminal = this.#fail(events, validation.error);
      if (terminal) yield terminal;
      return;
    }
    const config = options.config?.config ?? this.config;
    const { requestId = randomUUID(), stream = config.stream, topn = config.defaultTopn, ...request } = validation.request;
    const events = createEventStream(requestId);
    const scope = createRequestScope(request.timeoutMs, options.signal);
    const revision = options.config?.revision;
    const stages = runStages(
      { ...this.#deps, config },
      { ...request, requestId, stream, topn, ...(revision === undefined ? {} : { configRevision: revision }) },
      scope,
    );
    try {
      const terminal = yield* this.#pump(events, stages, scope);
      if (terminal) yield terminal;
    } finally {
      // Also reached when the consumer stops early: abort the ports and let the stages unwind.
      // Every wait inside the stages listens to the scope, so this does not hang.
      scope.close();
      await stages.return().catch((error: unknown) =>
        notifySafely(() => this.#deps.observer.onCleanupError?.({ requestId, error })),
      );
    }
  }

  /** Yields the stages' events; returns the terminal event (done, or error for whatever ended the run). */
  async *#pump(
    events: EventStream,
    stages: AsyncGenerator<StageEventBody, void, undefined>,
    scope: RequestScope,
  ): AsyncGenerator<StageEvent, StageEvent | undefined, undefined> {
    try {
      for (;;) {
        // Raced with the scope too, so the deadline holds even if a stage forgot to listen.
        const step = await abortable(stages.next(), scope.signal);
        if (step.done === true) throw new Error("pipeline stages ended without a done event");
        const event = events.emit(step.value);
        if (isTerminal(step.value)) return event;
        if (event) yield event;
      }
    } catch (err) {
      return this.#fail(events, scope.endedBy() ?? toKBAlignError(err));
    }
  }

  #fail(events: EventStream, error: KBAlignError): StageEvent | undefined {
    notifySafely(() => this.#deps.observer.onError?.({ requestId: events.requestId, error }));
    return events.fail(error);
  }
}
