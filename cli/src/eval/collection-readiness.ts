import { setTimeout as sleep } from "node:timers/promises";
import { RetrieveResponse, Subjects, toKBAlignError, type CollectionName, type KBAlignError } from "@kbalign/contracts";
import { requestJson, type NatsConnection } from "@kbalign/nats";
import { readDocuments, type DocumentSource } from "../documents/document-source.js";
import { CliError } from "../errors.js";

/**
 * The retrievers index the knowledge-base stream asynchronously, so right after an ingest a
 * collection may not answer yet, or answer from part of its documents. They apply the stream in
 * order, so once the LAST document ingested is found, every earlier one is indexed too: eval polls
 * `kbalign.v1.retrieve` with that document's own text until it ranks among the results.
 */

/** The document eval looks for: the last one the ingest published. */
export interface IndexProbe {
  id: string;
  /** Its title and text, cut to PROBE_QUERY_CHARS: a query that ranks it first. */
  query: string;
}

const PROBE_QUERY_CHARS = 1_000;
/** Ranks searched for the probe (duplicated texts may rank another copy first). */
const PROBE_DEPTH = 20;
const REQUEST_TIMEOUT_MS = 5_000;

/** The last valid document of the source (what was published last), or undefined for none. */
export async function lastDocument(source: DocumentSource, collection: CollectionName): Promise<IndexProbe | undefined> {
  let last: IndexProbe | undefined;
  for await (const record of readDocuments(source, collection)) {
    if (record.kind !== "document") continue;
    const { id, title, text } = record.document;
    const query = Array.from(`${title ?? ""}\n${text}`.trim()).slice(0, PROBE_QUERY_CHARS).join("");
    if (query !== "") last = { id, query };
  }
  return last;
}

export interface IndexWaitOptions {
  collection: CollectionName;
  probe?: IndexProbe;
  timeoutMs: number;
  intervalMs?: number;
}

export interface IndexWait {
  /** The probe document was found (or there was none to look for). */
  confirmed: boolean;
  waitedMs: number;
}

/**
 * Polls until the collection answers and ranks the probe document. Fails (CliError) when the
 * collection never answers within the timeout; answers that never rank the probe end the wait
 * unconfirmed, for the caller to warn about.
 */
export async function waitForIndex(nc: NatsConnection, options: IndexWaitOptions): Promise<IndexWait> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const query = options.probe?.query ?? options.collection;
  let answered = false;
  let lastError: KBAlignError | undefined;
  for (;;) {
    try {
      const { docs } = await requestJson(
        nc,
        Subjects.retrieve,
        { collection: options.collection, query, topn: PROBE_DEPTH },
        { response: RetrieveResponse, timeoutMs: Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now())) },
      );
      answered = true;
      if (options.probe === undefined || docs.some((doc) => doc.id === options.probe?.id)) return { confirmed: true, waitedMs: Date.now() - started };
    } catch (err) {
      lastError = toKBAlignError(err);
    }
    if (Date.now() + (options.intervalMs ?? 250) >= deadline) break;
    await sleep(options.intervalMs ?? 250);
  }
  if (answered) return { confirmed: false, waitedMs: Date.now() - started };
  throw new CliError(
    `collection '${options.collection}' did not answer within ${Math.round(options.timeoutMs / 1000)} s after the ingest (last: ${lastError?.code ?? "no answer"}: ${lastError?.message ?? ""}). Is a retriever running?`,
  );
}

/** Fails at once, with what to do, when the collection cannot answer (not loaded, or no retriever). */
export async function checkCollection(nc: NatsConnection, collection: CollectionName): Promise<void> {
  try {
    await requestJson(nc, Subjects.retrieve, { collection, query: collection, topn: 1 }, { response: RetrieveResponse, timeoutMs: REQUEST_TIMEOUT_MS });
  } catch (err) {
    const error = toKBAlignError(err);
    if (error.code === "COLLECTION_NOT_FOUND") throw new CliError(`collection '${collection}' has no documents: add --ingest to load the dataset's corpus.jsonl first`);
    if (error.code === "UNAVAILABLE") throw new CliError(`no retriever answers on ${Subjects.retrieve}: is the stack running? (\`kbalign up\`)`);
    throw new CliError(`collection '${collection}' cannot be queried: ${error.code}: ${error.message}`, { cause: err });
  }
}
