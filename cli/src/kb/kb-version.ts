import type { JetStreamManager } from "@nats-io/jetstream";
import { kbManifestSubject, type CollectionName, type KbManifest, type KbPointer } from "@kbalign/contracts";
import { encodeJson } from "@kbalign/nats";
import { CliError } from "../errors.js";
import { isServable, knownVersions, publishPointer, readKbState, type KbState } from "./kb-state.js";

/**
 * Marks a loaded version complete (its manifest) and switches the collection to it. Called only
 * once every document of the version is acknowledged by the stream, so no replica serves part of it.
 */
export async function completeVersion(
  jsm: JetStreamManager,
  collection: CollectionName,
  version: number,
  details: { documents: number; source?: string },
): Promise<KbPointer> {
  const manifest: KbManifest = { collection, version, documents: details.documents, createdAt: new Date().toISOString(), ...(details.source ? { source: details.source } : {}) };
  await jsm.jetstream().publish(kbManifestSubject(collection, version), encodeJson(manifest));
  return publishPointer(jsm, await readKbState(jsm, collection), version);
}

/** `kb switch`: serves `version`, which must be completely loaded. */
export async function switchVersion(jsm: JetStreamManager, collection: CollectionName, version: number): Promise<{ pointer: KbPointer; changed: boolean }> {
  const state = await readKbState(jsm, collection);
  requireServable(state, version);
  if (state.current === version && state.pointer) return { pointer: state.pointer, changed: false };
  return { pointer: await publishPointer(jsm, state, version), changed: state.current !== version };
}

/** `kb rollback`: serves the version served before the last switch. */
export async function rollbackVersion(jsm: JetStreamManager, collection: CollectionName): Promise<{ from: number; pointer: KbPointer }> {
  const state = await readKbState(jsm, collection);
  const previous = state.pointer?.previous;
  if (previous === undefined) throw new CliError(`collection '${collection}' has no previous version to roll back to (it never switched versions)`);
  requireServable(state, previous);
  return { from: state.current, pointer: await publishPointer(jsm, state, previous) };
}

function requireServable(state: KbState, version: number): void {
  if (isServable(state, version)) return;
  const known = knownVersions(state);
  throw new CliError(
    `collection '${state.collection}' has no complete version ${version}` +
      (known.length > 0 ? ` (versions: ${known.join(", ")})` : " (the collection holds nothing)"),
  );
}
