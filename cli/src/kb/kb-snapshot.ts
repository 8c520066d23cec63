import { rename, writeFile } from "node:fs/promises";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { CollectionName } from "@kbalign/contracts";
import { CliError } from "../errors.js";
import { readVersionDocuments } from "./kb-documents.js";
import { knownVersions, readKbState } from "./kb-state.js";
import { encodeSnapshot } from "./snapshot-file.js";

export interface SnapshotResult {
  version: number;
  documents: number;
  bytes: number;
}

/** `kb snapshot`: the collection's current version to one file (written aside, then renamed into place). */
export async function snapshotCollection(jsm: JetStreamManager, collection: CollectionName, file: string): Promise<SnapshotResult> {
  const state = await readKbState(jsm, collection);
  if (knownVersions(state).length === 0) throw new CliError(`collection '${collection}' holds nothing to snapshot`);
  const documents = await readVersionDocuments(jsm, collection, state.current);
  const content = encodeSnapshot(
    collection,
    state.current,
    documents.map(({ collection: _collection, ...document }) => document),
  );
  const partial = `${file}.partial`;
  await writeFile(partial, content, { mode: 0o600 });
  await rename(partial, file);
  return { version: state.current, documents: documents.length, bytes: Buffer.byteLength(content) };
}
