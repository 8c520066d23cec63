import type { CollectionName } from "@kbalign/contracts";
import { encodeJson, ensureKbStream, type NatsConnection } from "@kbalign/nats";
import { kbDocumentSubject } from "@kbalign/contracts";
import { readDocuments, estimateRecordCount, type DocumentSource } from "../documents/document-source.js";
import { CliError } from "../errors.js";
import type { Terminal } from "../terminal.js";
import { createProgress } from "./progress.js";
import { createPublishQueue } from "./publish-queue.js";

/** Acks awaited at once while publishing; see publish-queue.ts. */
const DEFAULT_MAX_IN_FLIGHT = 256;
/** Rejections kept to list in the report; the rest are counted. */
const MAX_LISTED = 50;

export interface Problem {
  where: string;
  reason: string;
}

export interface IngestReport {
  collection: CollectionName;
  published: number;
  /** Records refused (invalid, too large, or not acknowledged by JetStream). */
  rejected: number;
  /** The first rejections, in the order they happened. */
  rejections: Problem[];
  /** Files under a directory that are not documents. */
  skipped: Problem[];
  /** Records whose id came again later in this run: the later one replaced the earlier. */
  duplicateIds: number;
  elapsedMs: number;
}

export interface IngestOptions {
  collection: CollectionName;
  maxInFlight?: number;
  /** Show a progress bar / progress lines (off for the demo's small ingest). */
  progress?: boolean;
  /** Replicas of the KB stream should the ingest have to create it (KBALIGN_JS_REPLICAS); default 1. */
  streamReplicas?: number;
}

/**
 * Reads every document under `source` and stores each valid one in the KB stream (one message per
 * document subject, so re-ingesting replaces). Invalid records are reported, never published; the
 * others are published all the same.
 */
export async function ingestDocuments(nc: NatsConnection, source: DocumentSource, options: IngestOptions, terminal: Terminal): Promise<IngestReport> {
  const started = Date.now();
  const jsm = await ensureKbStream(nc, { replicas: options.streamReplicas ?? 1 }).catch((err: unknown) => {
    throw new CliError(`cannot use JetStream: ${err instanceof Error ? err.message : String(err)} (nats-server must run with -js)`);
  });
  const js = jsm.jetstream();
  const report: IngestReport = { collection: options.collection, published: 0, rejected: 0, rejections: [], skipped: [], duplicateIds: 0, elapsedMs: 0 };
  const reject = (problem: Problem) => {
    report.rejected++;
    if (report.rejections.length < MAX_LISTED) report.rejections.push(problem);
  };
  const progress = options.progress === false ? undefined : createProgress(terminal, { total: await estimateRecordCount(source) });
  const queue = createPublishQueue<string>({
    publish: (subject, data) => js.publish(subject, data),
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    onSettled: (where, error) => {
      progress?.tick();
      if (error === undefined) report.published++;
      else reject({ where, reason: `not stored: ${error instanceof Error ? error.message : String(error)}` });
    },
  });
  const seen = new Set<string>();
  try {
    for await (const record of readDocuments(source, options.collection)) {
      if (record.kind === "skipped") {
        report.skipped.push({ where: record.where, reason: record.reason });
        continue;
      }
      if (record.kind === "rejected") {
        progress?.tick();
        reject(record);
        continue;
      }
      if (seen.has(record.document.id)) report.duplicateIds++;
      else seen.add(record.document.id);
      await queue.add(kbDocumentSubject(options.collection, record.document.id), encodeJson(record.document), record.where);
    }
  } finally {
    await queue.drain();
    progress?.finish();
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
