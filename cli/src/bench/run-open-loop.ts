import type { CollectionName } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { CLIENT_GRACE_MS } from "../ask/ask-question.js";
import type { CommandContext } from "../command-context.js";
import { CliError } from "../errors.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";
import { connectCli } from "../nats-connection.js";
import { onShutdownSignal } from "../shutdown-signals.js";
import { writeLine } from "../terminal.js";
import { describeEnvironment } from "./environment.js";
import { createInProcessPipeline, inProcessQuerySender, loadCorpus } from "./in-process-sender.js";
import type { MeasureOptions } from "./measure-request.js";
import { renderOpenLoopChart } from "./open-loop-chart.js";
import { buildOpenLoopReport, writeOpenLoopReport, type OpenLoopSetup } from "./open-loop-report.js";
import { startStepProgress } from "./open-loop-progress.js";
import { runOpenLoopStep, type StepResult } from "./open-loop-step.js";
import { openLoopTables, openLoopTitle } from "./open-loop-tables.js";
import { natsQuerySender, type QuerySender } from "./query-sender.js";
import { loadQuestions } from "./questions.js";
import { startResourceSampler } from "./resource-sampler.js";
import { missedTarget, runSweep, type LatencyTarget, type SweepResult } from "./sweep.js";
import { renderMarkdown, renderText } from "./text-table.js";

/** The user's plan: errors under 0.1%. */
export const MAX_ERROR_RATE = 0.001;
/** The sweep's default ceiling (the issue's target is 500/s; room to find the knee above it). */
export const DEFAULT_MAX_RATE = 2_000;
/** An in-process request has no NATS client timeout behind it; this bounds its drain. */
const IN_PROCESS_GRACE_MS = 1_000;

/** Flags that do not go together: a usage error (exit 2). */
export class BenchUsageError extends CliError {
  override readonly name = "BenchUsageError";
  override readonly exitCode = 2;
}

export interface OpenLoopFlags {
  collection: CollectionName;
  queries?: string;
  rate: number;
  duration: number;
  sweep: boolean;
  rateStep?: number;
  maxRate: number;
  targetP99: number;
  warmup: number;
  inProcess: boolean;
  corpus?: string;
  topn?: number;
  timeout: number;
  metrics?: string[];
  natsMonitor?: string;
  out: string;
  label?: string;
  nats: string;
}

/** `kbalign bench --rate R --duration S [--sweep] [--in-process]`: an open loop, reported as tables, JSON, Markdown and SVG. */
export async function benchOpenLoop(flags: OpenLoopFlags, ctx: CommandContext): Promise<number> {
  const { stdout, stderr } = ctx.terminal;
  if (flags.inProcess && flags.corpus === undefined) {
    throw new BenchUsageError("--in-process needs --corpus PATH: the documents to index in this process (what `kbalign ingest PATH` would load)");
  }
  const questions = await loadQuestions(flags.queries);
  const environment = describeEnvironment();
  const metricsUrls = flags.metrics ?? [];
  const target: LatencyTarget = { p99Ms: flags.targetP99, maxErrorRate: MAX_ERROR_RATE };
  const measure: MeasureOptions = { collection: flags.collection, timeoutMs: flags.timeout, ...(flags.topn === undefined ? {} : { topn: flags.topn }) };
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    writeLine(stderr, `warning: ${message}`);
  };

  let nc: NatsConnection | undefined;
  let send: QuerySender;
  let drainMs: number;
  if (flags.inProcess) {
    writeLine(stderr, `bench: indexing ${flags.corpus} in this process…`);
    const documents = await loadCorpus(flags.corpus ?? "", flags.collection);
    send = inProcessQuerySender(createInProcessPipeline(flags.collection, documents), measure);
    drainMs = flags.timeout + IN_PROCESS_GRACE_MS;
  } else {
    nc = await connectCli(flags.nats, "kbalign-cli-bench");
    send = natsQuerySender(nc, measure);
    drainMs = flags.timeout + CLIENT_GRACE_MS;
  }

  const stop = new AbortController();
  const removeSignalHandler = onShutdownSignal((_signal, count) => {
    if (count === 1) {
      writeLine(stderr, "stopping: no more arrivals; waiting for the requests in flight (Ctrl-C again to quit at once)");
      stop.abort();
    } else {
      process.exit(EXIT_INTERRUPTED);
    }
  });
  const startedAt = new Date().toISOString();
  let questionOffset = 0;
  const runStep = async (rate: number, durationSeconds: number, measured: boolean): Promise<StepResult> => {
    const progress = startStepProgress(ctx.terminal, rate, durationSeconds);
    try {
      const step = await runOpenLoopStep({
        ratePerSecond: rate,
        durationMs: durationSeconds * 1000,
        questions: questions.questions,
        questionOffset,
        send,
        drainMs,
        signal: stop.signal,
        onSample: progress.onSample,
        ...(measured ? { startResources: () => startResourceSampler({ metricsUrls, ...(flags.natsMonitor ? { varzUrl: flags.natsMonitor } : {}), onProblem: warn }) } : {}),
      });
      questionOffset += step.sent;
      return step;
    } finally {
      progress.stop();
    }
  };

  try {
    if (flags.warmup > 0) {
      const seconds = Math.max(1, flags.warmup / flags.rate);
      writeLine(stderr, `bench: warm-up, ${flags.rate}/s for ${seconds.toFixed(1)} s (not measured)…`);
      const warmup = await runStep(flags.rate, seconds, false);
      if (warmup.completed > 0 && warmup.ok === 0) {
        const codes = Object.entries(warmup.errorsByCode).map(([code, count]) => `${code} ×${count}`).join(", ");
        throw new CliError(`nothing to measure: none of the ${warmup.completed} warm-up request(s) was answered (${codes}). Is the stack running and the collection ingested?`);
      }
    }
    const steps: StepResult[] = [];
    let sweep: SweepResult | undefined;
    const measuredStep = async (rate: number) => {
      writeLine(stderr, `bench: ${rate}/s for ${flags.duration} s…`);
      const step = await runStep(rate, flags.duration, true);
      const missed = missedTarget(step, target);
      writeLine(stderr, `bench: ${rate}/s → p99 ${step.latencyMs.terminal?.p99.toFixed(1) ?? "–"} ms, ${step.errors} error(s): ${missed === undefined ? "held the target" : `missed (${missed})`}`);
      steps.push(step);
      return step;
    };
    if (flags.sweep) {
      sweep = await runSweep({ startRate: flags.rate, stepRate: flags.rateStep ?? flags.rate, maxRate: flags.maxRate }, target, measuredStep, () => stop.signal.aborted);
    } else {
      await measuredStep(flags.rate);
    }
    const setup: OpenLoopSetup = {
      mode: flags.inProcess ? "in-process" : "nats",
      collection: flags.collection,
      questionsSource: questions.source,
      questionCount: questions.questions.length,
      sweep: flags.sweep,
      durationSeconds: flags.duration,
      warmupSeconds: flags.warmup > 0 ? Math.max(1, flags.warmup / flags.rate) : 0,
      timeoutMs: flags.timeout,
      target,
      metricsUrls,
      ...(flags.inProcess ? { corpus: flags.corpus } : { nats: flags.nats }),
      ...(flags.natsMonitor ? { varzUrl: flags.natsMonitor } : {}),
      ...(flags.topn === undefined ? {} : { topn: flags.topn }),
      ...(flags.label === undefined ? {} : { label: flags.label }),
    };
    const report = buildOpenLoopReport(setup, environment, {
      startedAt,
      interrupted: stop.signal.aborted,
      steps,
      ...(sweep ? { sweep } : {}),
      warnings,
      missed: (step) => missedTarget(step, target),
    });
    const tables = openLoopTables(report);
    const title = openLoopTitle(report);
    writeLine(stdout, `${title}\n\n${renderText(tables)}\n`);
    const files = await writeOpenLoopReport(report, `# ${title}\n\n${renderMarkdown(tables)}`, renderOpenLoopChart(report), flags.out);
    writeLine(stdout, `results  ${files.json}\n         ${files.markdown}\n         ${files.chart}`);
    if (steps.every((s) => s.ok === 0)) {
      writeLine(stderr, "kbalign: no measured request was answered: nothing about the service was measured");
      return 1;
    }
    return stop.signal.aborted ? EXIT_INTERRUPTED : 0;
  } finally {
    removeSignalHandler();
    await nc?.close();
  }
}
