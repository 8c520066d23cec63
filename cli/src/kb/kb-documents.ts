import type { JetStreamManager } from "@nats-io/jetstream";
import { KB_STREAM, kbVersionFilter, parseKbSubject, KbRecord, type CollectionName, type KbDocument } from "@kbalign/contracts";
import { decodeJson } from "@kbalign/nats";

/**
 * Every live document of one version of a collection, read from the KB stream in stream order by an
 * ordered consumer (tombstones skipped). What `kb snapshot` writes.
 */
export async function readVersionDocuments(jsm: JetStreamManager, collection: CollectionName, version: number): Promise<KbDocument[]> {
  const consumer = await jsm.jetstream().consumers.get(KB_STREAM, { filter_subjects: kbVersionFilter(collection, version) });
  const info = await consumer.info();
  const byId = new Map<string, KbDocument>();
  if (info.num_pending === 0) return [];
  const messages = await consumer.consume();
  try {
    for await (const msg of messages) {
      const place = parseKbSubject(msg.subject);
      if (place?.kind === "document" && place.version === version) {
        const record = KbRecord.safeParse(decodeJson(msg.data));
        if (record.success) {
          if ("deleted" in record.data) byId.delete(record.data.id);
          else byId.set(record.data.id, record.data);
        }
      }
      if (msg.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return [...byId.values()];
}
