import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { NatsConnection } from "@kbalign/nats";
import { askQuestion } from "./ask/ask-question.js";
import { newRequestId, streamQuery } from "./ask/query-stream.js";
import { openDocumentSource } from "./documents/document-source.js";
import { CliError } from "./errors.js";
import { ingestDocuments } from "./ingest/ingest-documents.js";
import { printIngestReport } from "./ingest/ingest-report.js";
import { writeLine, type Terminal } from "./terminal.js";

/** The demo's folder, beside src/ and dist/ alike. */
const DEMO_DIR = fileURLToPath(new URL("../demo/", import.meta.url));
export const DEMO_KB_DIR = `${DEMO_DIR}kb`;
export const DEMO_QUESTIONS_FILE = `${DEMO_DIR}questions.json`;
export const DEMO_COLLECTION = "demo";

/** How long the demo waits for the retriever to index what was just ingested. */
const INDEX_WAIT_MS = 15_000;
const QUESTION_TIMEOUT_MS = 30_000;

export const DemoQuestions = z
  .array(
    z.object({
      language: z.enum(["en", "zh"]),
      question: z.string().min(1),
      /** Id of the document that answers it (checked by tests, shown to the user). */
      expect: z.string().min(1),
    }),
  )
  .min(1);
export type DemoQuestions = z.infer<typeof DemoQuestions>;

export async function loadDemoQuestions(file = DEMO_QUESTIONS_FILE): Promise<DemoQuestions> {
  const parsed = DemoQuestions.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) throw new CliError(`${file} is invalid: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** The connection that loads the knowledge base and the one that asks (the same one on an open server). */
export interface DemoConnections {
  ingest: NatsConnection;
  ask: NatsConnection;
}

/**
 * Ingests the demo knowledge base into collection "demo" and asks its questions, printing the
 * stages as `kbalign ask` does. Returns 0 when every question got a `done`.
 */
export async function runDemo(connections: DemoConnections, terminal: Terminal, signal?: AbortSignal): Promise<number> {
  const { ingest, ask: nc } = connections;
  const questions = await loadDemoQuestions();
  const report = await ingestDocuments(ingest, await openDocumentSource(DEMO_KB_DIR), { collection: DEMO_COLLECTION, progress: false }, terminal);
  writeLine(terminal.stdout, `demo: ingested ${report.published} documents from ${DEMO_KB_DIR} into collection '${DEMO_COLLECTION}'`);
  if (report.rejected > 0) printIngestReport(report, terminal);
  await waitUntilQueryable(nc, questions[0]?.question ?? "demo", signal);
  let exitCode = 0;
  for (const { language, question, expect } of questions) {
    signal?.throwIfAborted();
    writeLine(terminal.stdout);
    writeLine(terminal.stdout, `demo question (${language}): ${question}   [answered by ${expect}]`);
    const outcome = await askQuestion(nc, { question, collection: DEMO_COLLECTION, timeoutMs: QUESTION_TIMEOUT_MS, json: false, ...(signal ? { signal } : {}) }, terminal);
    exitCode = Math.max(exitCode, outcome.exitCode);
  }
  writeLine(terminal.stdout);
  writeLine(terminal.stdout, `demo finished; the stack keeps serving (try: kbalign ask "What causes the tides?" --collection ${DEMO_COLLECTION})`);
  return exitCode;
}

/**
 * Retrievers index the stream asynchronously: until the first document arrived, a question gets
 * COLLECTION_NOT_FOUND. Asks quietly until it does not.
 */
async function waitUntilQueryable(nc: NatsConnection, question: string, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    signal?.throwIfAborted();
    let code: string | undefined;
    const request = { query: question, collection: DEMO_COLLECTION, topn: 1, requestId: newRequestId(), timeoutMs: QUESTION_TIMEOUT_MS };
    for await (const { event } of streamQuery(nc, request, { clientTimeoutMs: QUESTION_TIMEOUT_MS + 2_000, ...(signal ? { signal } : {}) })) {
      if (event?.state === "error") code = event.code;
    }
    if (code !== "COLLECTION_NOT_FOUND") return;
    if (Date.now() > deadline) throw new CliError(`the demo collection was not indexed within ${INDEX_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
