import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import type { CollectionName } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import { parseCollection, parseNatsUrl, parseTimeoutMs } from "../arguments.js";
import { parseConcurrency, parseLabel } from "../bench/bench-arguments.js";
import { renderMarkdown, renderText } from "../bench/text-table.js";
import type { CommandContext } from "../command-context.js";
import { openDocumentSource, type DocumentSource } from "../documents/document-source.js";
import { CliError } from "../errors.js";
import { checkCollection, lastDocument, waitForIndex } from "../eval/collection-readiness.js";
import { loadDataset, type Dataset } from "../eval/dataset.js";
import { parseEvalTopN, parseLimit, parseSplit } from "../eval/eval-arguments.js";
import { renderEvalChart } from "../eval/eval-chart.js";
import { labelFileName, writeEvalFiles } from "../eval/eval-files.js";
import { createEvalProgress } from "../eval/eval-progress.js";
import { buildEvalReport, type EvalSettings, type IngestSummary } from "../eval/eval-report.js";
import { evalTables, evalTitle } from "../eval/eval-tables.js";
import { runEval } from "../eval/run-eval.js";
import { ingestDocuments } from "../ingest/ingest-documents.js";
import { connectCli } from "../nats-connection.js";
import type { NatsAuthSettings } from "@kbalign/nats";
import { onShutdownSignal } from "../shutdown-signals.js";
import { writeLine, type Terminal } from "../terminal.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";

/** How long the retrievers may take to index an ingested corpus before eval gives up waiting. */
const INDEX_WAIT_TIMEOUT_MS = 120_000;

interface EvalFlags {
  dataset: string;
  collection: CollectionName;
  ingest: boolean;
  out: string;
  topn: number;
  limit?: number;
  split: string;
  concurrency: number;
  timeout: number;
  label?: string;
  nats: string;
}

/** `kbalign eval --dataset DIR --collection NAME`: retrieval and answer quality of the running pipeline. */
export function registerEvalCommand(program: Command, ctx: CommandContext): void {
  program
    .command("eval")
    .description(
      "evaluate the running pipeline over a BEIR-layout dataset: nDCG@10, Recall@5/10/100 and MRR@10 of both recalls, answer hit rate and F1 where answers.jsonl exists; writes JSON, Markdown, per-question JSONL and an SVG chart (Ctrl-C stops early and still reports)",
    )
    .requiredOption("--dataset <dir>", "BEIR layout: corpus.jsonl, queries.jsonl, qrels/<split>.tsv, optional answers.jsonl")
    .requiredOption("--collection <name>", "collection to ask (and with --ingest, to load)", parseCollection)
    .option("--ingest", "load the dataset's corpus.jsonl into the collection first, then wait until it is indexed", false)
    .option("--out <dir>", "directory for the result files", "eval-results")
    .option("--topn <k>", "documents per recall, 10-50 (nDCG@10 needs 10)", parseEvalTopN, 10)
    .option("--limit <n>", "evaluate only the first n judged questions (qrels order)", parseLimit)
    .option("--split <name>", "qrels split: qrels/<name>.tsv", parseSplit, "test")
    .option("--concurrency <c>", "questions in flight at once", parseConcurrency, 4)
    .option("--timeout <ms>", "each request's deadline, 100-300000", parseTimeoutMs, 30_000)
    .option("--label <text>", "names the run and its files (default: the collection)", parseLabel)
    .option("--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL)
    .action(async (flags: EvalFlags) => {
      ctx.result.exitCode = await evaluate(flags, ctx.terminal, ctx.natsAuth);
    });
}

async function evaluate(flags: EvalFlags, terminal: Terminal, natsAuth: NatsAuthSettings): Promise<number> {
  const { stdout, stderr } = terminal;
  const started = performance.now();
  // Everything the user gave is checked before connecting, so a bad dataset fails at once.
  const dataset = await loadDataset(flags.dataset, { split: flags.split, requireCorpus: flags.ingest });
  const questions = dataset.judged.slice(0, flags.limit ?? dataset.judged.length);
  const source = flags.ingest ? await openDocumentSource(dataset.corpusFile) : undefined;
  const label = flags.label ?? flags.collection;

  const nc = await connectCli(flags.nats, "kbalign-cli-eval", natsAuth);
  const stop = new AbortController();
  const removeSignalHandler = onShutdownSignal((_signal, count) => {
    if (count > 1) process.exit(EXIT_INTERRUPTED);
    writeLine(stderr, "stopping: waiting for the questions in flight, then reporting (Ctrl-C again to quit at once)");
    stop.abort();
  });
  try {
    const ingest = source === undefined ? undefined : await ingestCorpus(nc, dataset, source, flags.collection, terminal);
    if (ingest === undefined) await checkCollection(nc, flags.collection);

    writeLine(stderr, `eval: ${questions.length} question(s) from ${dataset.qrelsFile}, ${flags.concurrency} in flight…`);
    const progress = createEvalProgress(terminal, questions.length);
    const run = await runEval(nc, {
      collection: flags.collection,
      questions,
      ...(dataset.answers === undefined ? {} : { answers: dataset.answers }),
      topn: flags.topn,
      concurrency: flags.concurrency,
      timeoutMs: flags.timeout,
      stop: stop.signal,
      onResult: (result) => progress.add(result),
    }).finally(() => progress.finish());
    if (run.results.length === 0) {
      writeLine(stderr, "kbalign: no question was asked, so no results were written");
      return run.interrupted ? EXIT_INTERRUPTED : 1;
    }

    const settings: EvalSettings = {
      collection: flags.collection,
      label,
      split: flags.split,
      topn: flags.topn,
      ...(flags.limit === undefined ? {} : { limit: flags.limit }),
      concurrency: flags.concurrency,
      timeoutMs: flags.timeout,
      nats: flags.nats,
      ingest: flags.ingest,
    };
    const report = buildEvalReport({ dataset, settings, run, ...(ingest === undefined ? {} : { ingest }), totalSeconds: (performance.now() - started) / 1000 });
    const tables = evalTables(report);
    const title = evalTitle(report);
    writeLine(stdout, `${title}\n\n${renderText(tables)}\n`);
    // The chart sits beside the Markdown, under the same name.
    const markdown = `# ${title}\n\n${renderMarkdown(tables)}\n\n![${label}](${encodeURI(`${labelFileName(label)}.svg`)})`;
    const files = await writeEvalFiles({ report, results: run.results, markdown, svg: renderEvalChart(report) }, flags.out);
    writeLine(stdout, `results  ${files.json}\n         ${files.markdown}\n         ${files.questions}\n         ${files.svg}`);
    if (report.summary.done === 0) {
      writeLine(stderr, "kbalign: no question got an answer from the pipeline: every score is 0");
      return 1;
    }
    return run.interrupted ? EXIT_INTERRUPTED : 0;
  } finally {
    removeSignalHandler();
    await nc.close();
  }
}

/** --ingest: the corpus into the collection (as `kbalign ingest` does), then wait until it is indexed. */
async function ingestCorpus(
  nc: NatsConnection,
  dataset: Dataset,
  source: DocumentSource,
  collection: CollectionName,
  terminal: Terminal,
): Promise<IngestSummary> {
  const { stderr } = terminal;
  writeLine(stderr, `eval: loading ${dataset.corpusFile} into collection '${collection}'…`);
  const report = await ingestDocuments(nc, source, { collection }, terminal);
  if (report.rejected > 0) {
    const listed = report.rejections.map(({ where, reason }) => `${where}: ${reason}`);
    const more = report.rejected - listed.length;
    throw new CliError(
      [`${report.rejected} record(s) of the corpus were not loaded, so the evaluation would not be over the dataset:`, ...listed, ...(more > 0 ? [`… and ${more} more`] : [])].join("\n"),
    );
  }
  writeLine(stderr, `eval: ${report.published} document(s) published in ${(report.elapsedMs / 1000).toFixed(1)} s; waiting for the retrievers to index them…`);
  const probe = await lastDocument(source, collection);
  const wait = await waitForIndex(nc, { collection, timeoutMs: INDEX_WAIT_TIMEOUT_MS, ...(probe === undefined ? {} : { probe }) });
  if (!wait.confirmed) writeLine(stderr, `warning: after ${INDEX_WAIT_TIMEOUT_MS / 1000} s the last document ingested is still not found; evaluating anyway`);
  return {
    published: report.published,
    rejected: report.rejected,
    duplicateIds: report.duplicateIds,
    seconds: report.elapsedMs / 1000,
    indexWaitSeconds: wait.waitedMs / 1000,
    indexConfirmed: wait.confirmed,
  };
}
