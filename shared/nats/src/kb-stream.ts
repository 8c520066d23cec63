import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { KB_STREAM, kbAllSubjects } from "@kbalign/contracts";

/** What the knowledge-base stream may hold: the first line of defence of every retriever's memory. */
export interface KbStreamLimits {
  /** All documents together, in bytes as stored (KBALIGN_KB_MAX_BYTES). */
  maxBytes: number;
  /** One document message, in bytes (KBALIGN_KB_MAX_DOCUMENT_BYTES); at most the server's max_payload. */
  maxDocumentBytes: number;
}

export const DEFAULT_KB_STREAM_LIMITS: KbStreamLimits = Object.freeze({ maxBytes: 1024 ** 3, maxDocumentBytes: 1024 ** 2 });

export interface KbStreamOptions {
  /** Copies of the stream when it has to be created (KBALIGN_JS_REPLICAS; 3 on a three-node cluster). Default 1. */
  replicas?: number;
  limits?: KbStreamLimits;
}

/**
 * Creates the knowledge-base stream if it is missing. One message per subject (= per document) is
 * kept, so re-ingesting a document replaces it and the stream holds each document's latest version.
 * Once full, new documents are refused (`discard: new`): the publisher hears it, where dropping the
 * oldest documents would silently lose knowledge. The limits apply when the stream is created;
 * change an existing stream's with `nats stream edit KBALIGN_KB` (its replicas too).
 */
export async function ensureKbStream(nc: NatsConnection, options: KbStreamOptions = {}): Promise<JetStreamManager> {
  const limits = options.limits ?? DEFAULT_KB_STREAM_LIMITS;
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(KB_STREAM);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
    await jsm.streams.add({
      name: KB_STREAM,
      subjects: [kbAllSubjects],
      max_msgs_per_subject: 1,
      num_replicas: options.replicas ?? 1,
      max_bytes: limits.maxBytes,
      max_msg_size: limits.maxDocumentBytes,
      discard: DiscardPolicy.New,
      description: "kbalign knowledge-base documents, latest version of each",
    });
  }
  return jsm;
}
