import type { ReportTable } from "../bench/text-table.js";
import { HIT_LENGTHS } from "./answer-metrics.js";
import type { EvalReport } from "./eval-report.js";
import { METRIC_LABELS, RETRIEVAL_METRICS } from "./retrieval-metrics.js";

/** The report as tables, in reading order: setup, retrieval, answers, outcomes, warnings. */
export function evalTables(report: EvalReport): ReportTable[] {
  return [setupTable(report), retrievalTable(report), ...answersTable(report), outcomesTable(report), ...warningsTable(report)];
}

/** One line naming the run, above the tables. */
export const evalTitle = (report: EvalReport): string => `kbalign eval · ${report.label} · ${report.startedAt}${report.interrupted ? " · INTERRUPTED" : ""}`;

function setupTable({ dataset, settings, summary, timings, ingest, interrupted }: EvalReport): ReportTable {
  const planned = Math.min(settings.limit ?? dataset.judgedQueries, dataset.judgedQueries);
  const asked = `${summary.questions} of ${planned}${settings.limit === undefined ? " judged" : ` (--limit ${settings.limit}; ${dataset.judgedQueries} judged)`}`;
  const latency = timings.latencyMs;
  return {
    title: "setup",
    columns: ["setting", "value"],
    hideHeaderInText: true,
    rows: [
      ["dataset", `${dataset.path} (split ${dataset.split})`],
      ["questions", `${asked}${interrupted ? ", INTERRUPTED" : ""}${dataset.unjudgedQueries > 0 ? `; ${dataset.unjudgedQueries} with no relevant document skipped` : ""}`],
      ["collection", settings.collection],
      ...(ingest === undefined
        ? []
        : [["ingest", `${ingest.published} documents in ${ingest.seconds.toFixed(1)} s, indexed after ${ingest.indexWaitSeconds.toFixed(1)} s more`]]),
      ["topn", `${settings.topn} (R@100 from a 100-deep retrieve)`],
      ["load", `${settings.concurrency} question(s) in flight, timeout ${settings.timeoutMs} ms`],
      ["nats", settings.nats],
      ["ran", `${timings.questionsSeconds.toFixed(1)} s for the questions (${timings.questionsPerSecond.toFixed(1)}/s), ${timings.totalSeconds.toFixed(1)} s in all`],
      ...(latency === undefined ? [] : [["latency", `p50 ${latency.p50.toFixed(1)} ms, p90 ${latency.p90.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms (client side, to the terminal event)`]]),
    ],
  };
}

function retrievalTable({ retrieval, summary }: EvalReport): ReportTable {
  return {
    title: `retrieval: mean over ${summary.questions} question(s)${summary.failed > 0 ? `, ${summary.failed} failed counted as 0` : ""}`,
    columns: ["metric", "recall", "query_expansion_recall", "change"],
    numeric: [false, true, true, true],
    rows: RETRIEVAL_METRICS.map((metric) => {
      const first = retrieval.recall[metric];
      const second = retrieval.queryExpansionRecall[metric];
      const change = second - first;
      return [METRIC_LABELS[metric], score(first), score(second), `${change >= 0 ? "+" : "−"}${score(Math.abs(change))}`];
    }),
  };
}

function answersTable({ answers }: EvalReport): ReportTable[] {
  if (answers === undefined) return [];
  return [
    {
      title: `answers: ${answers.questions} question(s) with reference answers`,
      columns: ["measure", "value"],
      numeric: [false, true],
      rows: [
        ...HIT_LENGTHS.map((n) => [`hit rate in the first ${n} characters`, percent(answers.hitRate[n])]),
        ["hit rate in the whole answer", percent(answers.hitRate.full)],
        ["character F1 (CMRC 2018)", score(answers.f1)],
        ["mean answer length, characters", answers.meanAnswerChars.toFixed(1)],
      ],
    },
  ];
}

function outcomesTable({ summary }: EvalReport): ReportTable {
  const rows = [
    ...Object.entries(summary.failedByCode).map(([code, count]) => ["failed", code, String(count)]),
    ...Object.entries(summary.degradedByReason).map(([reason, count]) => ["degraded", reason, String(count)]),
  ];
  return {
    title: `outcomes: ${summary.done} done (${summary.degraded} degraded), ${summary.failed} failed`,
    columns: ["outcome", "code", "count"],
    numeric: [false, false, true],
    rows,
  };
}

function warningsTable({ summary, ingest }: EvalReport): ReportTable[] {
  const warnings: string[] = [];
  if (ingest !== undefined && !ingest.indexConfirmed) warnings.push("the last document ingested was never found: the collection may have been evaluated before it was fully indexed");
  for (const [name, label] of [["recall", "recall"], ["queryExpansionRecall", "query_expansion_recall"]] as const) {
    const failures = Object.entries(summary.deepRankingFailures[name]);
    if (failures.length > 0) warnings.push(`${label}: 100-deep ranking failed (${failures.map(([code, n]) => `${code} ×${n}`).join(", ")}); R@100 counts 0 for those`);
    const mismatches = summary.deepRankingMismatches[name];
    if (mismatches > 0) warnings.push(`${label}: for ${mismatches} question(s) the 100-deep ranking does not start with the public event's documents, so R@100 may not describe the pipeline (another expansion config, or the index changed)`);
  }
  return warnings.length === 0 ? [] : [{ title: "warnings", columns: ["warning"], hideHeaderInText: true, rows: warnings.map((w) => [w]) }];
}

const score = (value: number): string => value.toFixed(4);
const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;
