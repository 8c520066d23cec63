import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { BenchEnvironment } from "./environment.js";
import type { RequestSample } from "./measure-request.js";
import type { ServiceResources } from "./resource-scrape.js";
import type { BenchRun, WarmupResult } from "./run-bench.js";
import { summarizeSamples, type BenchSummary } from "./summary.js";

/** Identifies the JSON layout; bump it when a field changes meaning, so old results stay readable. */
export const BENCH_REPORT_FORMAT = "kbalign-bench/1";

/** How the run was set up: the flags, resolved. */
export interface BenchSetup {
  collection: string;
  label?: string;
  questionsSource: string;
  questionCount: number;
  requests: number;
  concurrency: number;
  warmup: number;
  /** Absent: the service's default. */
  topn?: number;
  timeoutMs: number;
  clientTimeoutMs: number;
  nats: string;
  metricsUrls: string[];
}

/** Everything a run produced: what the JSON file holds, and what the tables are made from. */
export interface BenchReport {
  format: typeof BENCH_REPORT_FORMAT;
  startedAt: string;
  interrupted: boolean;
  setup: BenchSetup;
  environment: BenchEnvironment;
  warmup: WarmupResult;
  summary: BenchSummary;
  resources: ServiceResources[];
  warnings: string[];
  samples: RequestSample[];
}

export function buildBenchReport(setup: BenchSetup, environment: BenchEnvironment, run: BenchRun): BenchReport {
  return {
    format: BENCH_REPORT_FORMAT,
    startedAt: run.startedAt,
    interrupted: run.interrupted,
    setup,
    environment,
    warmup: run.warmup,
    summary: summarizeSamples(run.samples, run.wallMs),
    resources: run.resources,
    warnings: run.warnings,
    samples: run.samples,
  };
}

export interface WrittenReport {
  json: string;
  markdown: string;
}

/**
 * Writes `<timestamp>-<label or collection>.json` (the whole report) and `.md` (the tables) into
 * `outDir`, created if missing. The timestamp is the run's start, in UTC, safe in file names.
 */
export async function writeBenchReport(report: BenchReport, markdown: string, outDir: string): Promise<WrittenReport> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const base = join(dir, `${stamp}-${fileSafe(report.setup.label ?? report.setup.collection)}`);
  const written = { json: `${base}.json`, markdown: `${base}.md` };
  await writeFile(written.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(written.markdown, `${markdown}\n`);
  return written;
}

/** A label as a file name part: anything but letters, digits, '.', '_' and '-' becomes '-'. */
export const fileSafe = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 64) || "bench";
