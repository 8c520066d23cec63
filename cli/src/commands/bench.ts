import type { Command } from "commander";
import type { CollectionName } from "@kbalign/contracts";
import { parseCollection, parseNatsUrl, parseTimeoutMs, parseTopN } from "../arguments.js";
import { CLIENT_GRACE_MS } from "../ask/ask-question.js";
import {
  collectMetricsUrl,
  parseConcurrency,
  parseDurationSeconds,
  parseLabel,
  parseMonitorUrl,
  parseRate,
  parseRequestCount,
  parseTargetMs,
  parseWarmup,
} from "../bench/bench-arguments.js";
import { BenchUsageError, benchOpenLoop, DEFAULT_MAX_RATE } from "../bench/run-open-loop.js";
import { createBenchProgress } from "../bench/bench-progress.js";
import { buildBenchReport, writeBenchReport, type BenchSetup } from "../bench/bench-report.js";
import { describeEnvironment } from "../bench/environment.js";
import { loadQuestions } from "../bench/questions.js";
import { reportTables, reportTitle } from "../bench/report-tables.js";
import { runBench } from "../bench/run-bench.js";
import { renderMarkdown, renderText } from "../bench/text-table.js";
import type { CommandContext } from "../command-context.js";
import { connectCli } from "../nats-connection.js";
import { onShutdownSignal } from "../shutdown-signals.js";
import { writeLine } from "../terminal.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";


interface BenchFlags {
  collection: CollectionName;
  rate?: number;
  duration: number;
  sweep: boolean;
  rateStep?: number;
  maxRate: number;
  targetP99: number;
  inProcess: boolean;
  corpus?: string;
  natsMonitor?: string;
  queries?: string;
  requests: number;
  concurrency: number;
  warmup: number;
  topn?: number;
  timeout: number;
  metrics?: string[];
  out: string;
  label?: string;
  nats: string;
}

/**
 * `kbalign bench --collection NAME`: with `--rate R --duration S` an open loop (constant arrival
 * rate; `--sweep` raises it to the highest that holds the latency target; `--in-process` runs the
 * same pipeline with no NATS); without `--rate` a closed loop of `--requests` at `--concurrency`.
 */
export function registerBenchCommand(program: Command, ctx: CommandContext): void {
  program
    .command("bench")
    .description("benchmark the query path over the public contract: latency percentiles, throughput, errors, service RSS/CPU (Ctrl-C stops early and still reports)")
    .requiredOption("--collection <name>", "collection to ask", parseCollection)
    .option("--queries <file>", "questions: a BEIR queries.jsonl or a .txt file, one per line (default: the demo questions)")
    .option("--rate <r>", "open loop: arrivals per second, sent whether or not earlier ones were answered (latency counts from each scheduled arrival)", parseRate)
    .option("--duration <s>", "open loop: seconds per rate", parseDurationSeconds, 10)
    .option("--sweep", "open loop: raise the rate by --rate-step from --rate until p99 or errors miss the target; reports the highest rate that held", false)
    .option("--rate-step <r>", "open loop, --sweep: rate increment (default: --rate)", parseRate)
    .option("--max-rate <r>", "open loop, --sweep: highest rate tried", parseRate, DEFAULT_MAX_RATE)
    .option("--target-p99 <ms>", "open loop: the latency target, p99 to the terminal event in ms (errors must also stay under 0.1%)", parseTargetMs, 100)
    .option("--in-process", "open loop: the same pipeline, retriever and generator called directly in this process (no NATS), over --corpus", false)
    .option("--corpus <path>", "with --in-process: the documents to index (a BEIR corpus.jsonl, or what `kbalign ingest` takes)")
    .option("--nats-monitor <url>", "open loop: nats-server's monitoring URL (e.g. http://127.0.0.1:8222), to sample its CPU and memory from /varz", parseMonitorUrl)
    .option("--requests <n>", "closed loop: measured requests", parseRequestCount, 200)
    .option("--concurrency <c>", "closed loop: requests in flight at once", parseConcurrency, 1)
    .option("--warmup <w>", "requests sent first and not measured (open loop: at the first rate)", parseWarmup, 10)
    .option("--topn <k>", "documents per retrieval, 1-50 (service default: 5)", parseTopN)
    .option("--timeout <ms>", "each request's deadline, 100-300000", parseTimeoutMs, 30_000)
    .option("--metrics <url>", "a service's Prometheus /metrics URL, scraped before and after (open loop: every second) for its CPU and RSS (repeat for each service)", collectMetricsUrl)
    .option("--out <dir>", "directory for the .json and .md results (open loop: and an .svg chart)", "bench-results")
    .option("--label <text>", "names the run in the results and their file names (default: the collection)", parseLabel)
    .option("--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL)
    .action(async (flags: BenchFlags) => {
      const { rate } = flags;
      if (rate === undefined) {
        if (flags.sweep || flags.inProcess) throw new BenchUsageError(`${flags.sweep ? "--sweep" : "--in-process"} runs an open loop: give its (starting) rate with --rate R`);
        ctx.result.exitCode = await bench(flags, ctx);
        return;
      }
      ctx.result.exitCode = await benchOpenLoop({ ...flags, rate }, ctx);
    });
}

async function bench(flags: BenchFlags, ctx: CommandContext): Promise<number> {
  const { stdout, stderr } = ctx.terminal;
  // Read before connecting, so a bad queries file fails at once even with NATS down.
  const questions = await loadQuestions(flags.queries);
  const environment = describeEnvironment();
  const metricsUrls = flags.metrics ?? [];
  const nc = await connectCli(flags.nats, "kbalign-cli-bench", ctx.natsAuth);
  const stop = new AbortController();
  const abandon = new AbortController();
  const removeSignalHandler = onShutdownSignal((_signal, count) => {
    if (count === 1) {
      writeLine(stderr, "stopping: waiting for the requests in flight to end (Ctrl-C again to stop waiting)");
      stop.abort();
    } else if (count === 2) {
      writeLine(stderr, "not waiting: reporting what was measured (Ctrl-C again to quit at once)");
      abandon.abort();
    } else {
      process.exit(EXIT_INTERRUPTED);
    }
  });
  try {
    writeLine(stderr, `bench: ${flags.warmup} warm-up then ${flags.requests} measured requests, ${flags.concurrency} in flight…`);
    const run = await runBench(nc, {
      collection: flags.collection,
      questions: questions.questions,
      requests: flags.requests,
      concurrency: flags.concurrency,
      warmup: flags.warmup,
      timeoutMs: flags.timeout,
      metricsUrls,
      stop: stop.signal,
      abandon: abandon.signal,
      onSample: createBenchProgress(ctx.terminal, flags.requests),
      onWarning: (message) => writeLine(stderr, `warning: ${message}`),
      ...(flags.topn === undefined ? {} : { topn: flags.topn }),
    });
    const setup: BenchSetup = {
      collection: flags.collection,
      questionsSource: questions.source,
      questionCount: questions.questions.length,
      requests: flags.requests,
      concurrency: flags.concurrency,
      warmup: flags.warmup,
      timeoutMs: flags.timeout,
      clientTimeoutMs: flags.timeout + CLIENT_GRACE_MS,
      nats: flags.nats,
      metricsUrls,
      ...(flags.topn === undefined ? {} : { topn: flags.topn }),
      ...(flags.label === undefined ? {} : { label: flags.label }),
    };
    const report = buildBenchReport(setup, environment, run);
    if (report.summary.requests === 0) {
      writeLine(stderr, "kbalign: nothing was measured, so no results were written");
      return run.interrupted ? EXIT_INTERRUPTED : 1;
    }
    const tables = reportTables(report);
    const title = reportTitle(report);
    writeLine(stdout, `${title}\n\n${renderText(tables)}\n`);
    const files = await writeBenchReport(report, `# ${title}\n\n${renderMarkdown(tables)}`, flags.out);
    writeLine(stdout, `results  ${files.json}\n         ${files.markdown}`);
    if (report.summary.answered === 0) {
      writeLine(stderr, "kbalign: no measured request got an answer from the orchestrator: nothing about the service was measured");
      return 1;
    }
    return run.interrupted ? EXIT_INTERRUPTED : 0;
  } finally {
    removeSignalHandler();
    await nc.close();
  }
}
