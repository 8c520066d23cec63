import type { TimingsMs } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { charLength, scoreAnswer, type AnswerScore } from "./answer-metrics.js";
import { collectAnswer, type CollectedAnswer } from "./collect-answer.js";
import type { JudgedQuery } from "./dataset.js";
import { mirroredExpansionQuery, retrieveDeepRanking, type DeepRanking } from "./deep-rankings.js";
import { scoreRecall, ZERO_SCORES, type RetrievalScores } from "./retrieval-metrics.js";

/** Which recall: the first (the question alone) or the second (expanded by the first answer). */
export type RecallName = "recall" | "queryExpansionRecall";
export const RECALLS = ["recall", "queryExpansionRecall"] as const satisfies readonly RecallName[];

/** One question, asked and scored: the row of `<label>.questions.jsonl`. */
export interface QuestionResult {
  /** 0-based position among the evaluated questions (qrels order). */
  index: number;
  id: string;
  question: string;
  /** Ids judged relevant (grade > 0), in qrels order. */
  relevant: string[];
  outcome: CollectedAnswer["outcome"];
  /** Error or client-side failure code; absent for `done`. */
  code?: string;
  message?: string;
  /** `stage:CODE` for each fallback the pipeline took. */
  degraded: string[];
  /** Each recall's document ids as the public events carried them (top-topn). */
  rankings: Record<RecallName, string[]>;
  /** True when no `query_expansion_recall` event came, so the second recall is the first one. */
  expansionFromFirstRecall: boolean;
  scores: Record<RecallName, RetrievalScores>;
  /** Codes of the 100-deep rankings that failed (their Recall@100 counts 0). */
  deepFailures: Partial<Record<RecallName, string>>;
  /** Recalls whose 100-deep ranking does not start with the public event's ids. */
  deepMismatches: RecallName[];
  firstAnswer?: string;
  answer: string;
  answerChars: number;
  /** Reference answers, when the dataset has them for this question. */
  references?: string[];
  answerScore?: AnswerScore;
  latencyMs: number;
  timingsMs?: TimingsMs;
}

export interface EvaluateOptions {
  collection: string;
  topn: number;
  timeoutMs: number;
  references?: readonly string[];
}

/**
 * Asks the question over the public contract, ranks both recalls 100 deep over the internal
 * subject, and scores it. A request that did not end in `done` scores 0 on every metric.
 */
export async function evaluateQuestion(nc: NatsConnection, query: JudgedQuery, index: number, options: EvaluateOptions): Promise<QuestionResult> {
  const collected = await collectAnswer(nc, query.text, options);
  const done = collected.outcome === "done";
  // The pipeline grounds its answer on the first recall when the second did not happen.
  const expansionIds = collected.expansionIds ?? collected.recallIds;
  const expansionFromFirstRecall = collected.expansionIds === undefined;

  const deep: Partial<Record<RecallName, DeepRanking>> = {};
  if (done) {
    const deepOptions = { collection: options.collection, timeoutMs: options.timeoutMs };
    const [first, expanded] = await Promise.all([
      retrieveDeepRanking(nc, { query: query.text }, deepOptions),
      collected.firstAnswer === undefined || expansionFromFirstRecall
        ? undefined
        : retrieveDeepRanking(nc, mirroredExpansionQuery(query.text, collected.firstAnswer), deepOptions),
    ]);
    deep.recall = first;
    deep.queryExpansionRecall = expanded ?? first;
  }
  const rankings: Record<RecallName, string[]> = { recall: collected.recallIds, queryExpansionRecall: expansionIds };
  const deepFailures: Partial<Record<RecallName, string>> = {};
  const deepMismatches: RecallName[] = [];
  const scores: Record<RecallName, RetrievalScores> = { recall: ZERO_SCORES, queryExpansionRecall: ZERO_SCORES };
  for (const name of RECALLS) {
    const ranking = deep[name];
    if (!done || ranking === undefined) continue;
    if (!ranking.ok) deepFailures[name] = ranking.code;
    else if (!startsWith(ranking.ids, rankings[name])) deepMismatches.push(name);
    scores[name] = scoreRecall(rankings[name], ranking.ok ? ranking.ids : [], query.qrels);
  }

  const answer = done ? collected.answer : "";
  return {
    index,
    id: query.id,
    question: query.text,
    relevant: [...query.qrels].flatMap(([id, grade]) => (grade > 0 ? [id] : [])),
    outcome: collected.outcome,
    ...(collected.code === undefined ? {} : { code: collected.code }),
    ...(collected.message === undefined ? {} : { message: collected.message }),
    degraded: collected.degraded,
    rankings,
    expansionFromFirstRecall,
    scores,
    deepFailures,
    deepMismatches,
    ...(collected.firstAnswer === undefined ? {} : { firstAnswer: collected.firstAnswer }),
    answer,
    answerChars: charLength(answer),
    ...(options.references === undefined ? {} : { references: [...options.references], answerScore: scoreAnswer(answer, options.references) }),
    latencyMs: Math.round(collected.latencyMs * 1000) / 1000,
    ...(collected.timingsMs === undefined ? {} : { timingsMs: collected.timingsMs }),
  };
}

/** Whether `deep` begins with exactly the ids of `shallow` (the public event, top-topn). */
const startsWith = (deep: readonly string[], shallow: readonly string[]): boolean => shallow.every((id, i) => deep[i] === id);
