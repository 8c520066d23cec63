import { performance } from "node:perf_hooks";
import type { NatsConnection } from "@kbalign/nats";
import { closedLoop } from "../bench/run-bench.js";
import type { JudgedQuery } from "./dataset.js";
import { evaluateQuestion, type QuestionResult } from "./evaluate-question.js";

export interface EvalRunOptions {
  collection: string;
  /** Asked in this order (qrels order, already cut to --limit). */
  questions: readonly JudgedQuery[];
  /** Reference answers by query id, when the dataset has them. */
  answers?: ReadonlyMap<string, readonly string[]>;
  topn: number;
  /** Questions in flight at once. */
  concurrency: number;
  timeoutMs: number;
  /** Stop asking: the questions in flight still end and count. */
  stop?: AbortSignal;
  /** A question was scored. */
  onResult?: (result: QuestionResult) => void;
}

export interface EvalRun {
  startedAt: string;
  wallMs: number;
  /** In question order. */
  results: QuestionResult[];
  /** True when a stop cut the run short. */
  interrupted: boolean;
}

/** Asks and scores every question, `concurrency` at a time (each worker asks its next when its last ends). */
export async function runEval(nc: NatsConnection, options: EvalRunOptions): Promise<EvalRun> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const results: QuestionResult[] = [];
  await closedLoop(
    options.questions.length,
    options.concurrency,
    () => options.stop?.aborted ?? false,
    async (index) => {
      const query = options.questions[index];
      if (query === undefined) return;
      const references = options.answers?.get(query.id);
      const result = await evaluateQuestion(nc, query, index, {
        collection: options.collection,
        topn: options.topn,
        timeoutMs: options.timeoutMs,
        ...(references === undefined ? {} : { references }),
      });
      results.push(result);
      options.onResult?.(result);
    },
  );
  results.sort((a, b) => a.index - b.index);
  return { startedAt, wallMs: performance.now() - started, results, interrupted: results.length < options.questions.length };
}
