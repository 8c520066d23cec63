// The CLI as a library: what `kbalign` does, callable in-process (tests, other tools).
export { memoryTerminal, type MemoryTerminal } from "./terminal.js";
export { runCli, createProgram, VERSION, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./program.js";
export { CliError } from "./errors.js";
export type { Terminal } from "./terminal.js";
export { openDocumentSource, readDocuments, estimateRecordCount, type DocumentSource } from "./documents/document-source.js";
export type { SourceRecord } from "./documents/source-record.js";
export { ingestDocuments, type IngestReport, type IngestOptions } from "./ingest/ingest-documents.js";
export { askQuestion, type AskOptions, type AskOutcome } from "./ask/ask-question.js";
export { streamQuery, sendCancel, type ReceivedEvent } from "./ask/query-stream.js";
export { DEMO_KB_DIR, DEMO_QUESTIONS_FILE, DEMO_COLLECTION, loadDemoQuestions } from "./demo.js";
export { runBench, closedLoop, type BenchOptions, type BenchRun, type WarmupResult } from "./bench/run-bench.js";
export { measureRequest, type RequestSample, type RequestOutcome } from "./bench/measure-request.js";
export { summarizeSamples, type BenchSummary } from "./bench/summary.js";
export { percentile, median, summarize, type LatencySummary } from "./bench/stats.js";
export { parsePrometheusText, type PromSample } from "./bench/prometheus-text.js";
export { scrapeProcessMetrics, resourceUsage, type ServiceResources } from "./bench/resource-scrape.js";
export { loadQuestions, readQuestionsFile, type BenchQuestion, type QuestionSet } from "./bench/questions.js";
export { buildBenchReport, writeBenchReport, type BenchReport, type BenchSetup } from "./bench/bench-report.js";
