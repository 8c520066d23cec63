import { readFile } from "node:fs/promises";
import type { JetStreamManager } from "@nats-io/jetstream";
import { kbDocumentSubject, type CollectionName, type KbPointer } from "@kbalign/contracts";
import { encodeJson } from "@kbalign/nats";
import { CliError } from "../errors.js";
import { createPublishQueue } from "../ingest/publish-queue.js";
import { completeVersion } from "./kb-version.js";
import { holdNewCollection, nextVersion, readKbState } from "./kb-state.js";
import { decodeSnapshot, SnapshotError } from "./snapshot-file.js";

/** Acks awaited at once while publishing (as ingest). */
const MAX_IN_FLIGHT = 256;

export interface RestoreResult {
  collection: CollectionName;
  version: number;
  documents: number;
  pointer: KbPointer;
}

/**
 * `kb restore`: verifies the whole file first (a corrupt or truncated one changes nothing), then
 * loads it as a new version of the collection (the snapshot's own, or `collection`) and switches to
 * it once every document is stored, as `ingest --new-version` does.
 */
export async function restoreSnapshot(jsm: JetStreamManager, file: string, collection?: CollectionName): Promise<RestoreResult> {
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read snapshot ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let snapshot;
  try {
    snapshot = decodeSnapshot(content);
  } catch (err) {
    if (err instanceof SnapshotError) throw new CliError(`snapshot ${file} refused, nothing restored: ${err.message}`);
    throw err;
  }
  const target = collection ?? snapshot.header.collection;
  const version = nextVersion(await holdNewCollection(jsm, await readKbState(jsm, target)));
  const js = jsm.jetstream();
  const failures: string[] = [];
  const queue = createPublishQueue<string>({
    publish: (subject, data) => js.publish(subject, data),
    maxInFlight: MAX_IN_FLIGHT,
    onSettled: (id, error) => {
      if (error !== undefined) failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  for (const document of snapshot.documents) {
    await queue.add(kbDocumentSubject(target, document.id, version), encodeJson({ ...document, collection: target }), document.id);
  }
  await queue.drain();
  if (failures.length > 0) {
    throw new CliError(`restore stopped: ${failures.length} documents not stored (first: ${failures[0]}); version ${version} stays unserved, collection '${target}' unchanged`);
  }
  const pointer = await completeVersion(jsm, target, version, { documents: snapshot.documents.length, source: `snapshot ${file}` });
  return { collection: target, version, documents: snapshot.documents.length, pointer };
}
