import type { Stage } from "@kbalign/contracts";
import { median, summarize, type LatencySummary } from "../bench/stats.js";
import { summarizeAnswers, type AnswerSummary } from "./answer-metrics.js";
import type { Dataset } from "./dataset.js";
import { DEEP_RANKING_DEPTH, MIRRORED_EXPANSION } from "./deep-rankings.js";
import { RECALLS, type QuestionResult, type RecallName } from "./evaluate-question.js";
import { meanScores, type RetrievalScores } from "./retrieval-metrics.js";
import type { EvalRun } from "./run-eval.js";

/** Identifies the JSON layout; bump it when a field changes meaning, so old results stay readable. */
export const EVAL_REPORT_FORMAT = "kbalign-eval/1";

/** How the run was set up: the flags, resolved. */
export interface EvalSettings {
  collection: string;
  label: string;
  split: string;
  topn: number;
  /** --limit, when given. */
  limit?: number;
  concurrency: number;
  timeoutMs: number;
  nats: string;
  ingest: boolean;
}

/** What --ingest did before the questions. */
export interface IngestSummary {
  published: number;
  rejected: number;
  duplicateIds: number;
  seconds: number;
  /** Waiting for the retrievers to index the corpus. */
  indexWaitSeconds: number;
  /** The last document ingested was found (see collection-readiness.ts). */
  indexConfirmed: boolean;
}

export interface EvalSummary {
  /** Questions asked (all of the split's judged ones, or the first --limit). */
  questions: number;
  done: number;
  /** Requests that did not end in `done` (they score 0 everywhere). */
  failed: number;
  /** `done` requests with at least one fallback. */
  degraded: number;
  failedByCode: Record<string, number>;
  /** Each fallback (`stage:CODE`) with how many requests took it. */
  degradedByReason: Record<string, number>;
  /** Requests with no `query_expansion_recall` event: their second recall is their first. */
  expansionFromFirstRecall: number;
  /** 100-deep rankings (for Recall@100) that failed, by recall and code: their Recall@100 is 0. */
  deepRankingFailures: Record<RecallName, Record<string, number>>;
  /** 100-deep rankings whose top did not match the public event (e.g. another expansion config). */
  deepRankingMismatches: Record<RecallName, number>;
}

export interface EvalTimings {
  totalSeconds: number;
  questionsSeconds: number;
  questionsPerSecond: number;
  /** Client side, send to terminal event, over every request. */
  latencyMs?: LatencySummary;
  /** Median of `done.timingsMs` per stage. */
  serverStageMedianMs: Partial<Record<Stage | "total", number>>;
}

export interface EvalReport {
  format: typeof EVAL_REPORT_FORMAT;
  label: string;
  startedAt: string;
  interrupted: boolean;
  dataset: {
    path: string;
    split: string;
    qrelsFile: string;
    answersFile?: string;
    /** Queries of the split with a relevant document. */
    judgedQueries: number;
    /** Queries of the split judged with grade 0 only (not evaluated). */
    unjudgedQueries: number;
  };
  settings: EvalSettings;
  /** How the numbers are computed, for whoever reads the file later. */
  method: Record<string, string>;
  ingest?: IngestSummary;
  summary: EvalSummary;
  /** Mean over the questions asked; a failed request counts 0. */
  retrieval: Record<RecallName, RetrievalScores>;
  /** Present when the dataset has answers.jsonl. */
  answers?: AnswerSummary;
  timings: EvalTimings;
}

export interface EvalReportInput {
  dataset: Dataset;
  settings: EvalSettings;
  run: EvalRun;
  ingest?: IngestSummary;
  totalSeconds: number;
}

const METHOD = {
  rankings: `nDCG@10, R@5, R@10 and MRR@10 from the document ids of each public recall event (topn ≥ 10); R@100 from the same recall ranked ${DEEP_RANKING_DEPTH} deep on kbalign.v1.retrieve`,
  expansion: `the second recall's ${DEEP_RANKING_DEPTH}-deep ranking rebuilds the orchestrator's expanded query with the default KBAlign config (${MIRRORED_EXPANSION.queryExpansion}, weight ${MIRRORED_EXPANSION.expansionWeight}, ${MIRRORED_EXPANSION.expansionMaxTerms} terms, draft cut to ${MIRRORED_EXPANSION.firstAnswerMaxChars} chars); another config is not mirrored (summary.deepRankingMismatches shows it)`,
  ndcg: "trec_eval ndcg_cut_10: gain = qrel grade, discount log2(rank+1), ideal DCG from the query's qrels",
  failures: "a request that does not end in done scores 0 on every metric and is counted in summary.failedByCode",
  answers: "hit@N: the first N characters of the final answer, normalised (NFKC, lower case, no whitespace or \\p{P}), contain a normalised reference; F1: CMRC 2018 character F1 (longest common substring, best reference), on normalised characters for every language",
};

export function buildEvalReport({ dataset, settings, run, ingest, totalSeconds }: EvalReportInput): EvalReport {
  const { results } = run;
  const withReferences = results.flatMap((r) => (r.answerScore === undefined ? [] : [{ score: r.answerScore }]));
  const answered = results.filter((r) => r.outcome === "done");
  const latencyMs = summarize(results.map((r) => r.latencyMs));
  return {
    format: EVAL_REPORT_FORMAT,
    label: settings.label,
    startedAt: run.startedAt,
    interrupted: run.interrupted,
    dataset: {
      path: dataset.dir,
      split: dataset.split,
      qrelsFile: dataset.qrelsFile,
      ...(dataset.answersFile === undefined ? {} : { answersFile: dataset.answersFile }),
      judgedQueries: dataset.judged.length,
      unjudgedQueries: dataset.unjudged,
    },
    settings,
    method: METHOD,
    ...(ingest === undefined ? {} : { ingest }),
    summary: summarizeOutcomes(results),
    retrieval: { recall: meanScores(results.map((r) => r.scores.recall)), queryExpansionRecall: meanScores(results.map((r) => r.scores.queryExpansionRecall)) },
    ...(dataset.answers === undefined ? {} : { answers: summarizeAnswers(withReferences, answered.map((r) => r.answerChars)) }),
    timings: {
      totalSeconds,
      questionsSeconds: run.wallMs / 1000,
      questionsPerSecond: run.wallMs > 0 ? results.length / (run.wallMs / 1000) : 0,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      serverStageMedianMs: stageMedians(answered),
    },
  };
}

export function summarizeOutcomes(results: readonly QuestionResult[]): EvalSummary {
  const summary: EvalSummary = {
    questions: results.length,
    done: 0,
    failed: 0,
    degraded: 0,
    failedByCode: {},
    degradedByReason: {},
    expansionFromFirstRecall: 0,
    deepRankingFailures: { recall: {}, queryExpansionRecall: {} },
    deepRankingMismatches: { recall: 0, queryExpansionRecall: 0 },
  };
  for (const result of results) {
    if (result.outcome === "done") summary.done++;
    else {
      summary.failed++;
      increment(summary.failedByCode, result.code ?? "UNKNOWN");
    }
    if (result.degraded.length > 0) summary.degraded++;
    for (const reason of new Set(result.degraded)) increment(summary.degradedByReason, reason);
    if (result.outcome === "done" && result.expansionFromFirstRecall) summary.expansionFromFirstRecall++;
    for (const name of RECALLS) {
      const code = result.deepFailures[name];
      if (code !== undefined) increment(summary.deepRankingFailures[name], code);
    }
    for (const name of result.deepMismatches) summary.deepRankingMismatches[name]++;
  }
  return summary;
}

function stageMedians(answered: readonly QuestionResult[]): Partial<Record<Stage | "total", number>> {
  const medians: Partial<Record<Stage | "total", number>> = {};
  for (const stage of ["recall", "first_answer", "query_expansion_recall", "final_answer", "total"] as const) {
    const values = answered.flatMap((r) => (r.timingsMs?.[stage] === undefined ? [] : [r.timingsMs[stage]]));
    if (values.length > 0) medians[stage] = median(values);
  }
  return medians;
}

const increment = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};
