import type { JetStreamManager } from "@nats-io/jetstream";
import { KB_STREAM, KbRecord, kbDocumentSubject, type CollectionName, type KbTombstone } from "@kbalign/contracts";
import { decodeJson, encodeJson } from "@kbalign/nats";
import { CliError } from "../errors.js";
import { knownVersions, readKbState } from "./kb-state.js";

/**
 * `kb delete`: replaces the document, in every version of the collection that holds it, by a
 * tombstone on its subject. The stream keeps the last message per subject, so the document itself
 * leaves the stream and a replica starting later never indexes it; a rollback to an older version
 * does not bring it back. Returns the versions it was deleted from.
 */
export async function deleteDocument(jsm: JetStreamManager, collection: CollectionName, id: string): Promise<number[]> {
  const state = await readKbState(jsm, collection);
  const js = jsm.jetstream();
  const deletedFrom: number[] = [];
  for (const version of knownVersions(state)) {
    const subject = kbDocumentSubject(collection, id, version);
    const stored = await jsm.streams.getMessage(KB_STREAM, { last_by_subj: subject });
    if (!stored) continue;
    const record = KbRecord.safeParse(decodeJson(stored.data));
    if (!record.success || "deleted" in record.data) continue;
    const tombstone: KbTombstone = { id, collection, deleted: true, deletedAt: new Date().toISOString() };
    // Only over the message read: a document re-ingested meanwhile is not deleted unseen.
    await js.publish(subject, encodeJson(tombstone), { expect: { lastSubjectSequence: stored.seq } });
    deletedFrom.push(version);
  }
  if (deletedFrom.length === 0) throw new CliError(`document '${id}' not found in collection '${collection}'`);
  return deletedFrom;
}
