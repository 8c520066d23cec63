import { CLIENT_GRACE_MS } from "../ask/ask-question.js";
import type { BenchReport } from "./bench-report.js";
import type { LatencySummary } from "./stats.js";
import type { ReportTable } from "./text-table.js";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** The report as tables, in reading order: setup, latency, server stages, errors, degradations, resources, warnings. */
export function reportTables(report: BenchReport): ReportTable[] {
  return [setupTable(report), latencyTable(report), serverStagesTable(report), errorsTable(report), degradedTable(report), resourcesTable(report), ...warningsTable(report)];
}

/** One line naming the run, above the tables. */
export const reportTitle = (report: BenchReport): string =>
  `kbalign bench · ${report.setup.label ?? report.setup.collection} · ${report.startedAt}${report.interrupted ? " · INTERRUPTED" : ""}`;

function setupTable({ setup, environment: env, warmup, summary, interrupted }: BenchReport): ReportTable {
  const warmupFailures = Object.entries(warmup.failures).map(([code, count]) => `${code} ×${count}`);
  const ran = interrupted ? `${summary.requests} of ${setup.requests} requests (interrupted)` : `${summary.requests} requests`;
  return {
    title: "setup",
    columns: ["setting", "value"],
    hideHeaderInText: true,
    rows: [
      ["collection", setup.collection],
      ["questions", `${setup.questionCount} from ${setup.questionsSource}`],
      ["load", `${setup.requests} requests, ${setup.concurrency} in flight (closed loop), after ${setup.warmup} warm-up`],
      ["warm-up", `${warmup.requests} sent, ${warmup.ok} ok${warmupFailures.length > 0 ? `, ${warmupFailures.join(", ")}` : ""}`],
      ["topn", setup.topn === undefined ? "service default" : String(setup.topn)],
      ["timeout", `${setup.timeoutMs} ms per request (client gives up after ${setup.timeoutMs + CLIENT_GRACE_MS} ms)`],
      ["nats", setup.nats],
      ["machine", `Node ${env.node} · ${env.platform} ${env.arch} · ${env.cpuCount} × ${env.cpuModel} · ${(env.totalMemoryBytes / GIB).toFixed(1)} GiB`],
      ["load average", env.loadAverage.map((l) => l.toFixed(2)).join(" ")],
      ["ran", `${ran} in ${summary.wallSeconds.toFixed(2)} s`],
      ["throughput", `${summary.throughputRps.toFixed(1)} req/s (${summary.okThroughputRps.toFixed(1)} ok/s)`],
    ],
  };
}

function latencyTable({ summary }: BenchReport): ReportTable {
  const rows: Array<[string, LatencySummary | undefined]> = [
    ["first event", summary.latencyMs.firstEvent],
    ["first data", summary.latencyMs.firstData],
    ["done", summary.latencyMs.done],
    ["error", summary.latencyMs.error],
  ];
  return {
    title: "latency, ms (client side, from send)",
    columns: ["to", "count", "min", "p50", "p90", "p95", "p99", "max", "mean"],
    numeric: [false, true, true, true, true, true, true, true, true],
    rows: rows.flatMap(([name, s]) => (s === undefined ? [] : [[name, String(s.count), ...[s.min, s.p50, s.p90, s.p95, s.p99, s.max, s.mean].map(ms)]])),
  };
}

function serverStagesTable({ summary }: BenchReport): ReportTable {
  return {
    title: "server stages, ms (median of done.timingsMs)",
    columns: ["stage", "median", "requests"],
    numeric: [false, true, true],
    rows: summary.serverMedianMs.map(({ stage, medianMs, count }) => [stage, ms(medianMs), String(count)]),
  };
}

function errorsTable({ summary }: BenchReport): ReportTable {
  const share = (count: number) => `${((count / Math.max(summary.requests, 1)) * 100).toFixed(2)} %`;
  return {
    title: `errors: ${summary.errors} of ${summary.requests} (${(summary.errorRate * 100).toFixed(2)} %)${summary.contractProblems > 0 ? `, ${summary.contractProblems} event(s) broke the contract` : ""}`,
    columns: ["code", "reported by", "count", "share"],
    numeric: [false, false, true, true],
    rows: summary.errorsByCode.map(({ code, where, count }) => [code, where, String(count), share(count)]),
  };
}

function degradedTable({ summary }: BenchReport): ReportTable {
  return {
    title: `degraded: ${summary.degraded.requests} of ${summary.ok} done`,
    columns: ["stage:code", "count"],
    numeric: [false, true],
    rows: summary.degraded.byReason.map(({ reason, count }) => [reason, String(count)]),
  };
}

function resourcesTable({ resources }: BenchReport): ReportTable {
  return {
    title: "resources during the measured phase",
    columns: ["process", "RSS after, MiB", "CPU, % of one core", "note"],
    numeric: [false, true, true, false],
    rows: resources.map((r) => [
      r.service,
      r.rssAfterBytes === undefined ? "-" : (r.rssAfterBytes / MIB).toFixed(1),
      r.cpuPercent === undefined ? "-" : r.cpuPercent.toFixed(1),
      r.problem ?? r.url,
    ]),
  };
}

function warningsTable({ warnings }: BenchReport): ReportTable[] {
  return warnings.length === 0 ? [] : [{ title: "warnings", columns: ["warning"], hideHeaderInText: true, rows: warnings.map((w) => [w]) }];
}

const ms = (value: number): string => value.toFixed(2);
