import { niceMax, renderBarChart, type BarPanel } from "../chart/bar-chart.js";
import type { OpenLoopReport } from "./open-loop-report.js";

const MIB = 1024 * 1024;
const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac", "#eeca3b"];

/**
 * Latency percentiles against offered rate, then CPU (% of the machine) and largest RSS per
 * process against offered rate: one SVG a person can open.
 */
export function renderOpenLoopChart(report: OpenLoopReport): string {
  const rates = report.steps.map((s) => `${s.offeredRate}/s`);
  const percentiles = [
    { name: "p50", pick: (s: (typeof report.steps)[number]) => s.latencyMs.terminal?.p50 ?? 0 },
    { name: "p90", pick: (s: (typeof report.steps)[number]) => s.latencyMs.terminal?.p90 ?? 0 },
    { name: "p99", pick: (s: (typeof report.steps)[number]) => s.latencyMs.terminal?.p99 ?? 0 },
    { name: "p99.9", pick: (s: (typeof report.steps)[number]) => s.latencyMs.terminal?.p999 ?? 0 },
  ];
  const latencyMax = Math.max(report.setup.target.p99Ms, ...report.steps.map((s) => s.latencyMs.terminal?.p999 ?? 0));
  const processes = [...new Set(report.steps.flatMap((s) => s.resources.map((r) => r.process)))];
  const cores = Math.max(1, report.environment.cpuCount);
  const usage = (rate: number, process: string) => report.steps.find((s) => s.offeredRate === rate)?.resources.find((r) => r.process === process);
  const cpuValues = report.steps.map((s) => processes.map((p) => (usage(s.offeredRate, p)?.cpuPercent ?? 0) / cores));
  const rssValues = report.steps.map((s) => processes.map((p) => (usage(s.offeredRate, p)?.rssMaxBytes ?? 0) / MIB));
  const series = processes.map((name, i) => ({ name, color: PALETTE[i % PALETTE.length] ?? "#999999" }));
  const title = `kbalign bench (open loop, ${report.setup.mode}) · ${report.setup.label ?? report.setup.collection}`;
  const panels: BarPanel[] = [
    {
      title: `${title} — latency to the terminal event`,
      subtitle: `ms from each request's scheduled arrival; target p99 < ${report.setup.target.p99Ms} ms${report.sweep?.highestPassingRate === undefined ? "" : `; highest rate holding it: ${report.sweep.highestPassingRate}/s`}`,
      xLabel: "offered rate (queries/s)",
      yLabel: "ms",
      series: percentiles.map((p, i) => ({ name: p.name, color: PALETTE[i] ?? "#999999" })),
      groups: report.steps.map((s, i) => ({ label: rates[i] ?? "", values: percentiles.map((p) => p.pick(s)) })),
      yMax: niceMax(latencyMax),
      format: (v) => (v < 10 ? v.toFixed(1) : v.toFixed(0)),
    },
    {
      title: `${title} — CPU`,
      subtitle: `% of the machine (${cores} cores), mean over each rate's run`,
      xLabel: "offered rate (queries/s)",
      yLabel: "% of the machine",
      series,
      groups: report.steps.map((_, i) => ({ label: rates[i] ?? "", values: cpuValues[i] ?? [] })),
      yMax: niceMax(Math.max(1, ...cpuValues.flat())),
      format: (v) => v.toFixed(0),
    },
    {
      title: `${title} — memory`,
      subtitle: "largest resident set (RSS) per process, MiB",
      xLabel: "offered rate (queries/s)",
      yLabel: "MiB",
      series,
      groups: report.steps.map((_, i) => ({ label: rates[i] ?? "", values: rssValues[i] ?? [] })),
      yMax: niceMax(Math.max(1, ...rssValues.flat())),
      format: (v) => v.toFixed(0),
    },
  ];
  return renderBarChart(panels);
}
