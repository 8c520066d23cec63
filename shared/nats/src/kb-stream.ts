import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { KB_STREAM, kbAllSubjects } from "@kbalign/contracts";

export interface KbStreamOptions {
  /** Copies of the stream when it has to be created (KBALIGN_JS_REPLICAS; 3 on a three-node cluster). Default 1. */
  replicas?: number;
}

/**
 * Creates the knowledge-base stream if it is missing. One message per subject (= per document) is
 * kept, so re-ingesting a document replaces it and the stream holds each document's latest version.
 * An existing stream is used as it is, whatever its replicas (`nats stream edit` changes them).
 */
export async function ensureKbStream(nc: NatsConnection, options: KbStreamOptions = {}): Promise<JetStreamManager> {
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
      description: "kbalign knowledge-base documents, latest version of each",
    });
  }
  return jsm;
}
