import {
  TimeoutError,
  toKBAlignError,
  type Degradation,
  type Document,
  type KBAlignError,
  type Purpose,
  type RetrieveRequest,
  type Stage,
  type StageEventBody,
  type TimingsMs,
} from "@kbalign/contracts";
import { deadlineSignal } from "./abort.js";
import type { CallContext } from "./call-context.js";
import type { KBAlignConfig } from "./config.js";
import { splitConversation } from "./conversation.js";
import { brokenStreamFailure, degradation, extractiveFallback, recallFailure, type DegradationReason } from "./degradation.js";
import { generateWithRetry } from "./generation.js";
import type { PipelineObserver } from "./observer.js";
import type { GeneratorPort, Retrieval, RetrieverPort } from "./ports.js";
import type { KBAlignRequest } from "./query-input.js";
import type { RequestScope } from "./request-scope.js";
import { retrieveWithRetry } from "./retrieval.js";
import type { StageInput, StageResult, StageSpan, StageTracer } from "./stage-tracer.js";

export interface StageDeps {
  retriever: RetrieverPort;
  generator: GeneratorPort;
  config: Readonly<KBAlignConfig>;
  observer: PipelineObserver;
  tracer: StageTracer;
}

/** A validated request with its id, streaming mode and topn settled. */
export type StageRequest = Omit<KBAlignRequest, "requestId" | "stream" | "topn"> & {
  requestId: string;
  stream: boolean;
  topn: number;
  /** Revision of the runtime configuration `deps.config` came from; `done` carries it. */
  configRevision?: number;
};

type Outcome<T> = { ok: true; value: T } | { ok: false; error: KBAlignError };

/**
 * The five KBAlign stages over two ports. Yields the event bodies in order, the last one `done`;
 * throws the error that ends the request (the caller turns it into the terminal `error` event).
 * Failures the fallback table covers are degraded, not thrown.
 */
export async function* runStages(deps: StageDeps, request: StageRequest, scope: RequestScope): AsyncGenerator<StageEventBody, void, undefined> {
  const { config, observer, tracer } = deps;
  const started = performance.now();
  const timings: Omit<TimingsMs, "total"> = {};
  const degraded: Degradation[] = [];
  const conversation = splitConversation(request.messages, config.systemPrompt);

  const call = (stage: Stage, span: StageSpan, signal = scope.signal, deadline = scope.deadline): CallContext => ({
    requestId: request.requestId,
    stage,
    signal,
    deadline,
    config,
    observer,
    span,
  });
  // The version the first recall ranked is asked of the second, so a switch of the collection's
  // version between the two cannot mix versions in one answer.
  let kbVersion: number | undefined;
  const retrieve = (query: RecallQuery, ctx: CallContext) =>
    retrieveWithRetry(deps.retriever, { collection: request.collection, topn: request.topn, ...query, ...(kbVersion === undefined ? {} : { version: kbVersion }) }, ctx);
  const generate = (purpose: Purpose, documents: Document[], ctx: CallContext) =>
    generateWithRetry(
      deps.generator,
      {
        purpose,
        query: request.query,
        messages: conversation.history,
        documents,
        systemPrompt: conversation.systemPrompt,
        promptTemplate: config.promptTemplate,
        ...(purpose === "final_answer" && config.finalMaxChars !== undefined ? { maxChars: config.finalMaxChars } : {}),
      },
      ctx,
      Math.min(ctx.deadline, Date.now() + config.firstChunkTimeoutMs),
    );
  /** Runs one stage, timing and tracing it; a failure that ends the request is thrown, any other returned. */
  const stage = async <T>(
    name: Stage,
    input: StageInput,
    work: (span: StageSpan) => Promise<T>,
    measure: (value: T) => StageResult,
  ): Promise<Outcome<T>> => {
    const stageStarted = performance.now();
    const span = tracer.startStage(name, request.requestId, input);
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await work(span) };
    } catch (err) {
      outcome = { ok: false, error: toKBAlignError(err) };
    }
    const durationMs = performance.now() - stageStarted;
    timings[name] = durationMs;
    span.end(outcome.ok ? undefined : outcome.error, outcome.ok ? measure(outcome.value) : undefined);
    observer.onStage?.({ requestId: request.requestId, stage: name, durationMs, ok: outcome.ok });
    if (!outcome.ok) throwIfRunEnded(outcome.error, scope);
    return outcome;
  };
  const degrade = (reason: DegradationReason, error: KBAlignError) => {
    const entry = degradation(reason, error);
    degraded.push(entry);
    observer.onDegraded?.({ requestId: request.requestId, degradation: entry });
  };

  // 1. Recall: nothing to ground an answer on without it, so its failure ends the request.
  const asked = request.configRevision === undefined ? { query: request.query } : { query: request.query, configRevision: request.configRevision };
  const recall = await stage("recall", asked, (span) => retrieve({ query: request.query }, call("recall", span)), countDocuments);
  if (!recall.ok) throw recallFailure(recall.error);
  kbVersion = recall.value.kbVersion;
  yield recallBody("recall", recall.value.docs);

  // From here on there are documents to answer from: every later stage must be over (or is given
  // up) `fallbackReserveMs` before the deadline, leaving time for the extractive fallback.
  // A short request keeps at most a quarter of its time in reserve.
  const answerBy = scope.deadline - Math.min(config.fallbackReserveMs, Math.floor(request.timeoutMs / 4));

  // 2. First answer, under its own time limit: it only serves to expand the query.
  let grounding = recall.value.docs;
  const firstAnswerScope = deadlineSignal(
    scope.signal,
    Math.min(answerBy, Date.now() + config.firstAnswerTimeoutMs),
    () => new TimeoutError(`first answer took longer than ${config.firstAnswerTimeoutMs} ms`),
  );
  const first = await stage(
    "first_answer",
    asked,
    (span) => collectText(generate("first_answer", recall.value.docs, call("first_answer", span, firstAnswerScope.signal, firstAnswerScope.deadline))),
    countChars,
  ).finally(() => firstAnswerScope.dispose());

  if (!first.ok) degrade("firstAnswerFailed", first.error);
  else {
    yield { state: "first_answer", value: first.value };
    // 3. Query expansion (query2doc / HyDE): the question plus a draft answer recalls better.
    const expandedQuery = expandQuery(request.query, first.value, config);
    const expansionScope = deadlineSignal(scope.signal, answerBy, () => new TimeoutError("no time left for the second recall before the deadline"));
    const expanded = await stage(
      "query_expansion_recall",
      { ...asked, query: expandedQuery.query },
      (span) => retrieve(expandedQuery, call("query_expansion_recall", span, expansionScope.signal, expansionScope.deadline)),
      countDocuments,
    ).finally(() => expansionScope.dispose());
    if (expanded.ok) {
      grounding = expanded.value.docs;
      yield recallBody("query_expansion_recall", expanded.value.docs);
    } else degrade("expansionRecallFailed", expanded.error);
  }

  // 4. Final answer, streamed; an extractive answer if the generator fails before its first chunk.
  // Not run through stage(): it yields as it goes. Its span ends with the generation (the
  // extractive fallback that may follow is the request's, recorded as a degradation).
  const finalStarted = performance.now();
  const finalSpan = tracer.startStage("final_answer", request.requestId, asked);
  // A stream still running at `answerBy` is cut there: what was sent is the answer. The error is
  // made only then (an Error per request, with its stack, was 3% of a query's CPU).
  let cut: TimeoutError | undefined;
  const finalScope = deadlineSignal(scope.signal, answerBy, () => (cut = new TimeoutError("the answer was cut at the request's deadline")));
  let sent = 0;
  let answer = "";
  let failure: KBAlignError | undefined;
  try {
    const chunks = generate("final_answer", grounding, call("final_answer", finalSpan, finalScope.signal, finalScope.deadline));
    if (request.stream) {
      for await (const chunk of chunks) {
        if (chunk === "") continue;
        sent++;
        answer += chunk;
        yield { state: "data", value: chunk };
      }
    } else {
      answer = await collectText(chunks);
      if (answer !== "") {
        sent++;
        yield { state: "data", value: answer };
      }
    }
  } catch (err) {
    failure = toKBAlignError(err);
    finalSpan.end(failure);
    throwIfRunEnded(failure, scope);
    if (sent > 0 && failure !== cut) throw brokenStreamFailure(failure, sent);
  } finally {
    finalScope.dispose();
    // Also reached when the run is abandoned mid-stream (cancel, deadline): the span still ends.
    if (failure === undefined) finalSpan.end(undefined, { chars: answer.length, text: answer });
  }
  if (cut !== undefined && failure === cut && sent > 0) degrade("finalAnswerCut", cut);
  else if (failure) {
    degrade("finalAnswerFailed", failure);
    const fallback = extractiveFallback(request.query, grounding, config.extractiveFallbackSentences);
    if (request.stream) for (const chunk of fallback) yield { state: "data", value: chunk };
    else if (fallback.length > 0) yield { state: "data", value: fallback.join("") };
  }
  timings.final_answer = performance.now() - finalStarted;
  observer.onStage?.({ requestId: request.requestId, stage: "final_answer", durationMs: timings.final_answer, ok: failure === undefined });

  // 5. Done.
  yield {
    state: "done",
    value: "",
    timingsMs: { ...timings, total: performance.now() - started },
    degraded,
    ...(request.configRevision === undefined ? {} : { configRevision: request.configRevision }),
    ...(kbVersion === undefined ? {} : { kbVersion }),
  };
}

/** A cancel or the request's own deadline ends the request: never degraded. */
function throwIfRunEnded(error: KBAlignError, scope: RequestScope): void {
  const ended = scope.endedBy();
  if (ended) throw ended;
  if (error.code === "CANCELLED") throw error;
}

function recallBody(state: "recall" | "query_expansion_recall", docs: Document[]): StageEventBody {
  return {
    state,
    value: docs.map((d) => d.text),
    docs: docs.map((d) => (d.title === undefined ? { id: d.id, score: d.score } : { id: d.id, score: d.score, title: d.title })),
  };
}

/** What a recall ranks: the question, and for the second recall the draft answer that expands it. */
export type RecallQuery = Pick<RetrieveRequest, "query" | "expansion">;

type ExpansionConfig = Pick<KBAlignConfig, "queryExpansion" | "firstAnswerMaxChars" | "expansionWeight" | "expansionMaxTerms">;

/**
 * The second recall's query: the question expanded by the draft answer (cut to firstAnswerMaxChars):
 * weighted below the question, and by default fused with the question's own ranking; or glued to the
 * question after a newline ("concat").
 */
export function expandQuery(query: string, firstAnswer: string, config: ExpansionConfig): RecallQuery {
  const draft = truncate(firstAnswer, config.firstAnswerMaxChars);
  if (config.queryExpansion === "concat") return { query: `${query}\n${draft}` };
  const expansion = { text: draft, weight: config.expansionWeight, maxTerms: config.expansionMaxTerms };
  return { query, expansion: config.queryExpansion === "fused" ? { ...expansion, fusion: "rrf" as const } : expansion };
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

const countDocuments = (found: Retrieval): StageResult =>
  found.kbVersion === undefined ? { documents: found.docs.length } : { documents: found.docs.length, kbVersion: found.kbVersion };
const countChars = (text: string): StageResult => ({ chars: text.length, text });

async function collectText(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += chunk;
  return text;
}
