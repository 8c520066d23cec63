import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { BenchEnvironment } from "./environment.js";
import { fileSafe } from "./bench-report.js";
import type { StepResult } from "./open-loop-step.js";
import { CLIENT_PROCESS } from "./resource-sampler.js";
import type { LatencyTarget, SweepResult } from "./sweep.js";

/** Identifies the JSON layout of an open-loop run; bump it when a field changes meaning. */
export const OPEN_LOOP_REPORT_FORMAT = "kbalign-bench-open-loop/1";

export interface OpenLoopSetup {
  mode: "nats" | "in-process";
  collection: string;
  label?: string;
  questionsSource: string;
  questionCount: number;
  /** Rates run, in order (one for --rate, the sweep's for --sweep). */
  sweep: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  topn?: number;
  timeoutMs: number;
  target: LatencyTarget;
  nats?: string;
  metricsUrls: string[];
  varzUrl?: string;
  corpus?: string;
}

/** CPU and memory of a step, added up over the processes that serve queries. */
export interface StepCost {
  offeredRate: number;
  /** Services and nats-server (over NATS), or this process (in process): % of one core. */
  serverCpuPercent?: number;
  /** serverCpuPercent over the machine's cores. */
  serverCpuMachinePercent?: number;
  /** CPU time spent serving per completed query, ms. */
  cpuMsPerQuery?: number;
  /** Sum of the largest RSS of each serving process. */
  serverRssBytes?: number;
  /** The target this step is measured against, and what it missed (undefined: held). */
  missed?: string;
}

export interface OpenLoopReport {
  format: typeof OPEN_LOOP_REPORT_FORMAT;
  startedAt: string;
  interrupted: boolean;
  setup: OpenLoopSetup;
  environment: BenchEnvironment;
  steps: StepResult[];
  costs: StepCost[];
  /** --sweep only. */
  sweep?: { highestPassingRate?: number; stoppedBecause: string };
  warnings: string[];
}

/**
 * The cost of a step. Over NATS the serving processes are every one sampled but the bench itself;
 * in process the bench IS the server, so its own CPU counts.
 */
export function stepCost(step: StepResult, mode: OpenLoopSetup["mode"], cores: number, missed?: string): StepCost {
  const serving = step.resources.filter((r) => (mode === "in-process" ? r.process === CLIENT_PROCESS : r.process !== CLIENT_PROCESS));
  const cpu = serving.flatMap((r) => (r.cpuPercent === undefined ? [] : [r.cpuPercent]));
  const rss = serving.flatMap((r) => (r.rssMaxBytes === undefined ? [] : [r.rssMaxBytes]));
  const serverCpuPercent = cpu.length > 0 ? cpu.reduce((a, b) => a + b, 0) : undefined;
  return {
    offeredRate: step.offeredRate,
    ...(serverCpuPercent === undefined
      ? {}
      : {
          serverCpuPercent,
          serverCpuMachinePercent: serverCpuPercent / Math.max(1, cores),
          ...(step.throughputRps > 0 ? { cpuMsPerQuery: (serverCpuPercent / 100 / step.throughputRps) * 1000 } : {}),
        }),
    ...(rss.length > 0 ? { serverRssBytes: rss.reduce((a, b) => a + b, 0) } : {}),
    ...(missed === undefined ? {} : { missed }),
  };
}

export function buildOpenLoopReport(
  setup: OpenLoopSetup,
  environment: BenchEnvironment,
  run: { startedAt: string; interrupted: boolean; steps: StepResult[]; sweep?: SweepResult; warnings: string[]; missed: (step: StepResult) => string | undefined },
): OpenLoopReport {
  return {
    format: OPEN_LOOP_REPORT_FORMAT,
    startedAt: run.startedAt,
    interrupted: run.interrupted,
    setup,
    environment,
    steps: run.steps,
    costs: run.steps.map((step) => stepCost(step, setup.mode, environment.cpuCount, run.missed(step))),
    ...(run.sweep ? { sweep: { ...(run.sweep.highestPassingRate === undefined ? {} : { highestPassingRate: run.sweep.highestPassingRate }), stoppedBecause: run.sweep.stoppedBecause } } : {}),
    warnings: run.warnings,
  };
}

export interface WrittenOpenLoopReport {
  json: string;
  markdown: string;
  chart: string;
}

/** `<timestamp>-<label>.json`, `.md` and `.svg` in `outDir` (created if missing). */
export async function writeOpenLoopReport(report: OpenLoopReport, markdown: string, svg: string, outDir: string): Promise<WrittenOpenLoopReport> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const base = join(dir, `${stamp}-${fileSafe(report.setup.label ?? `${report.setup.collection}-${report.setup.mode}`)}`);
  const written = { json: `${base}.json`, markdown: `${base}.md`, chart: `${base}.svg` };
  await writeFile(written.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(written.markdown, `${markdown}\n`);
  await writeFile(written.chart, svg);
  return written;
}
