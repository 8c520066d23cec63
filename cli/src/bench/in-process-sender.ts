import { performance } from "node:perf_hooks";
import { KBAlign, createInProcessGenerator, createInProcessRetriever, type InProcessDocument } from "@kbalign/pipeline";
import type { CollectionName } from "@kbalign/contracts";
import { openDocumentSource, readDocuments } from "../documents/document-source.js";
import { CliError } from "../errors.js";
import { newRequestId } from "../ask/query-stream.js";
import { ClientFailureCode, recordEvent, type MeasureOptions, type RequestSample } from "./measure-request.js";
import type { QuerySender } from "./query-sender.js";

/** The documents `kbalign ingest PATH` would load, read the same way, held in memory. */
export async function loadCorpus(path: string, collection: CollectionName): Promise<InProcessDocument[]> {
  const source = await openDocumentSource(path);
  const documents: InProcessDocument[] = [];
  for await (const record of readDocuments(source, collection)) {
    if (record.kind !== "document") continue;
    const { id, text, title } = record.document;
    documents.push({ id, text, ...(title === undefined ? {} : { title }) });
  }
  if (documents.length === 0) throw new CliError(`--corpus ${path}: no documents in it`);
  return documents;
}

/**
 * The pipeline of the orchestrator with the retriever's BM25 index and the generator's extractive
 * answerer called directly, in this process: the same work as over NATS, minus distribution.
 */
export function createInProcessPipeline(collection: CollectionName, documents: readonly InProcessDocument[]): KBAlign {
  return new KBAlign(createInProcessRetriever({ [collection]: documents }), createInProcessGenerator());
}

/** A QuerySender over an in-process pipeline; samples have the same fields as over NATS. */
export const inProcessQuerySender =
  (pipeline: KBAlign, options: MeasureOptions): QuerySender =>
  async (question, position) => {
    const startedAt = position.scheduledAt ?? performance.now();
    const requestId = newRequestId();
    const sample: RequestSample = {
      index: position.index,
      questionId: question.id,
      requestId,
      sentAtMs: startedAt - position.phaseStartMs,
      endMs: 0,
      outcome: "failed",
      events: 0,
      dataEvents: 0,
      contractProblems: 0,
    };
    const run = pipeline.run({
      query: question.text,
      collection: options.collection,
      timeoutMs: options.timeoutMs,
      requestId,
      ...(options.topn === undefined ? {} : { topn: options.topn }),
    });
    for await (const event of run) {
      if (recordEvent(sample, event, performance.now() - startedAt)) return sample;
    }
    // KBAlign.run always ends on a terminal event; reaching here means it broke that promise.
    return Object.assign(sample, { endMs: performance.now() - startedAt, code: ClientFailureCode.noTerminalEvent });
  };
