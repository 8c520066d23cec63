import type { OpenLoopReport } from "./open-loop-report.js";
import { MILESTONES, type Milestone } from "./open-loop-step.js";
import type { ReportTable } from "./text-table.js";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export const MILESTONE_LABELS: Record<Milestone, string> = {
  recall: "recall",
  firstAnswer: "first_answer",
  firstData: "first data",
  terminal: "terminal (done/error)",
};

/** One line naming the run, above the tables. */
export const openLoopTitle = (report: OpenLoopReport): string =>
  `kbalign bench (open loop, ${report.setup.mode}) · ${report.setup.label ?? report.setup.collection} · ${report.startedAt}${report.interrupted ? " · INTERRUPTED" : ""}`;

const ms = (value: number | undefined): string => (value === undefined ? "–" : value < 10 ? value.toFixed(2) : value.toFixed(1));
const pct = (value: number | undefined): string => (value === undefined ? "–" : `${value.toFixed(1)}%`);
const mib = (bytes: number | undefined): string => (bytes === undefined ? "–" : (bytes / MIB).toFixed(0));

/** The report as tables: setup, one row per rate, latency per milestone, errors, resources. */
export function openLoopTables(report: OpenLoopReport): ReportTable[] {
  const { setup, environment: env } = report;
  const tables: ReportTable[] = [
    {
      title: "setup",
      columns: ["setting", "value"],
      hideHeaderInText: true,
      rows: [
        ["mode", setup.mode === "nats" ? `over NATS (${setup.nats ?? ""}), public contract` : `in process (corpus ${setup.corpus ?? ""}), no NATS`],
        ["collection", setup.collection],
        ["questions", `${setup.questionCount} from ${setup.questionsSource}`],
        ["load", `open loop, constant arrival rate, ${setup.durationSeconds} s per rate after ${setup.warmupSeconds} s warm-up; latency from each request's scheduled arrival`],
        ["target", `p99 to the terminal event < ${setup.target.p99Ms} ms, errors < ${(setup.target.maxErrorRate * 100).toFixed(2)}%`],
        ["topn", setup.topn === undefined ? "service default" : String(setup.topn)],
        ["timeout", `${setup.timeoutMs} ms per request`],
        ["machine", `Node ${env.node} · ${env.platform} ${env.arch} · ${env.cpuCount} × ${env.cpuModel} · ${(env.totalMemoryBytes / GIB).toFixed(1)} GiB · load ${env.loadAverage.map((l) => l.toFixed(2)).join(" ")}`],
        ...(report.sweep
          ? [["sweep", `highest rate holding the target: ${report.sweep.highestPassingRate === undefined ? "none" : `${report.sweep.highestPassingRate}/s`} (${report.sweep.stoppedBecause})`]]
          : []),
      ],
    },
    {
      title: "per offered rate (terminal event, ms from scheduled arrival)",
      columns: ["rate/s", "sent", "ended/s", "errors", "p50", "p90", "p99", "p99.9", "max", "CPU % machine", "CPU ms/query", "RSS MiB", "target"],
      numeric: [true, true, true, true, true, true, true, true, true, true, true, true, false],
      rows: report.steps.map((step, i) => {
        const t = step.latencyMs.terminal;
        const cost = report.costs[i];
        return [
          String(step.offeredRate),
          String(step.sent),
          step.throughputRps.toFixed(1),
          step.errors === 0 ? "0" : `${step.errors} (${(step.errorRate * 100).toFixed(2)}%)`,
          ms(t?.p50),
          ms(t?.p90),
          ms(t?.p99),
          ms(t?.p999),
          ms(t?.max),
          pct(cost?.serverCpuMachinePercent),
          cost?.cpuMsPerQuery === undefined ? "–" : cost.cpuMsPerQuery.toFixed(2),
          mib(cost?.serverRssBytes),
          cost?.missed === undefined ? "held" : `missed: ${cost.missed}`,
        ];
      }),
    },
    {
      title: "latency per milestone, ms from scheduled arrival (p50 / p99 / p99.9)",
      columns: ["rate/s", ...MILESTONES.map((m) => MILESTONE_LABELS[m]), "done (answered only)"],
      numeric: [true, ...MILESTONES.map(() => true), true],
      rows: report.steps.map((step) => [
        String(step.offeredRate),
        ...[...MILESTONES.map((m) => step.latencyMs[m]), step.answeredMs].map((p) => (p === undefined ? "–" : `${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.p999)}`)),
      ]),
    },
  ];
  const errorRows = report.steps.flatMap((step) =>
    Object.entries(step.errorsByCode).map(([code, count]) => {
      const p = step.errorLatencyMs?.[code];
      return [String(step.offeredRate), code, String(count), p === undefined ? "–" : `${ms(p.p50)} / ${ms(p.p99)}`];
    }),
  );
  if (errorRows.length > 0) {
    tables.push({ title: "errors by code (ms from scheduled arrival to the error event, p50 / p99)", columns: ["rate/s", "code", "count", "p50 / p99"], numeric: [true, false, true, true], rows: errorRows });
  }
  const degradedRows = report.steps.flatMap((step) =>
    Object.entries(step.degradedByReason).map(([reason, count]) => [String(step.offeredRate), reason, String(count)]),
  );
  if (degradedRows.length > 0) tables.push({ title: "degradations (answered, degraded)", columns: ["rate/s", "stage:code", "count"], numeric: [true, false, true], rows: degradedRows });
  tables.push({
    title: "resources per process (CPU % of one core, largest RSS)",
    columns: ["rate/s", "process", "CPU %", "RSS MiB", "readings"],
    numeric: [true, false, true, true, true],
    rows: report.steps.flatMap((step) =>
      step.resources.map((r) => [String(step.offeredRate), r.process, pct(r.cpuPercent), mib(r.rssMaxBytes), String(r.readings)]),
    ),
  });
  if (report.warnings.length > 0) tables.push({ title: "warnings", columns: ["warning"], rows: report.warnings.map((w) => [w]) });
  return tables;
}
