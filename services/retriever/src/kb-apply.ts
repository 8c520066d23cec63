import type { JsMsg } from "@nats-io/jetstream";
import type { Log } from "@kbalign/nats";
import type { IndexRegistry } from "./index-registry.js";
import { parseKbMessage } from "./kb-message.js";
import type { RetrieverMetrics } from "./metrics.js";

/**
 * Applies one message of the KBALIGN_KB stream to `indexes`: a document is indexed into its version,
 * a tombstone removes its document from its version, a pointer switches the version served, a
 * manifest changes nothing here. Invalid messages are counted and logged (never their text).
 * Returns the collection touched, or undefined when nothing was applied.
 */
export function applyKbMessage(
  indexes: IndexRegistry,
  msg: Pick<JsMsg, "subject" | "data" | "seq">,
  { metrics, log, live }: { metrics: RetrieverMetrics; log: Log; /** The live indexes (not a rebuild): a switch is logged. */ live: boolean },
): string | undefined {
  const result = parseKbMessage(msg.subject, msg.data);
  if (!result.ok) {
    metrics.invalidDocuments.inc({ reason: result.reason });
    log.warn({ seq: msg.seq, subject: msg.subject, reason: result.reason, issue: result.detail }, "skipping invalid knowledge-base document");
    return undefined;
  }
  switch (result.kind) {
    case "document": {
      const { document, version } = result;
      try {
        metrics.documentsApplied.inc({ operation: indexes.getOrCreate(document.collection, version).upsert(document) });
      } catch (err) {
        // A bug, not bad data: keep following (the next documents are fine) but make it loud.
        metrics.invalidDocuments.inc({ reason: "index_failed" });
        log.error({ err, seq: msg.seq, subject: msg.subject, id: document.id }, "indexing a knowledge-base document failed");
      }
      return document.collection;
    }
    case "tombstone": {
      const { tombstone, version } = result;
      if (indexes.resolve(tombstone.collection, version)?.index.remove(tombstone.id)) metrics.documentsApplied.inc({ operation: "deleted" });
      return tombstone.collection;
    }
    case "pointer": {
      const { pointer } = result;
      indexes.setCurrent(pointer.collection, pointer.version);
      if (live) log.info({ collection: pointer.collection, version: pointer.version }, "collection switched version");
      return pointer.collection;
    }
    case "manifest":
      return undefined;
  }
}

/** Sets a collection's gauges from the version it serves. */
export function publishIndexGauges(indexes: IndexRegistry, metrics: RetrieverMetrics, collection: string): void {
  const current = indexes.resolve(collection);
  metrics.indexVersion.set({ collection }, indexes.currentVersion(collection) ?? 1);
  metrics.indexDocuments.set({ collection }, current?.index.size ?? 0);
  metrics.indexTerms.set({ collection }, current?.index.termCount ?? 0);
}
