import type { JetStreamManager } from "@nats-io/jetstream";
import {
  KB_STREAM,
  KbManifest,
  KbPointer,
  kbManifestFilter,
  kbPointerSubject,
  kbVersionFilter,
  parseKbSubject,
  type CollectionName,
} from "@kbalign/contracts";
import { decodeJson, encodeJson } from "@kbalign/nats";
import { CliError } from "../errors.js";

/** What the KB stream says about a collection's versions. */
export interface KbState {
  collection: CollectionName;
  /** The version served: the pointer's, version 1 when the collection has no pointer. */
  current: number;
  pointer?: KbPointer;
  /** Stream sequence of the pointer message (0: none), for an optimistic switch. */
  pointerSequence: number;
  /** One per completely loaded version, ascending. */
  manifests: KbManifest[];
  /** Version 1 holds messages (a collection loaded before versions existed has no manifest). */
  hasVersionOne: boolean;
}

/** Reads a collection's pointer, manifests and whether version 1 holds anything. */
export async function readKbState(jsm: JetStreamManager, collection: CollectionName): Promise<KbState> {
  const stored = await jsm.streams.getMessage(KB_STREAM, { last_by_subj: kbPointerSubject(collection) });
  const pointer = stored ? KbPointer.safeParse(decodeJson(stored.data)) : undefined;
  const manifests: KbManifest[] = [];
  for (const subject of await subjectsOf(jsm, kbManifestFilter(collection))) {
    const msg = await jsm.streams.getMessage(KB_STREAM, { last_by_subj: subject });
    const parsed = msg ? KbManifest.safeParse(decodeJson(msg.data)) : undefined;
    if (parsed?.success) manifests.push(parsed.data);
  }
  manifests.sort((a, b) => a.version - b.version);
  const versionOne = (await subjectsOf(jsm, kbVersionFilter(collection, 1))).some((s) => parseKbSubject(s)?.kind === "document");
  return {
    collection,
    current: pointer?.success ? pointer.data.version : 1,
    ...(pointer?.success ? { pointer: pointer.data } : {}),
    pointerSequence: stored?.seq ?? 0,
    manifests,
    hasVersionOne: versionOne,
  };
}

/** The versions a collection holds: every manifest's, version 1 when it holds documents, and the current one. */
export function knownVersions(state: KbState): number[] {
  const versions = new Set(state.manifests.map((m) => m.version));
  if (state.hasVersionOne) versions.add(1);
  if (state.pointer && state.current > 0) versions.add(state.current);
  return [...versions].sort((a, b) => a - b);
}

/** The number a new version gets: one past every version the collection ever named; 1 for a new collection. */
export function nextVersion(state: KbState): number {
  const named = [...knownVersions(state), state.pointer?.previous ?? 0];
  return named.length === 0 ? 1 : Math.max(0, ...named) + 1;
}

/** Whether a version can be served: loaded completely (a manifest), or version 1 holding documents. */
export function isServable(state: KbState, version: number): boolean {
  return state.manifests.some((m) => m.version === version) || (version === 1 && state.hasVersionOne);
}

/**
 * Points the collection at `version`: one message, so every replica switches at once when it reads
 * it. Published only if the pointer is still the one read (another switch in between fails it).
 */
export async function publishPointer(jsm: JetStreamManager, state: KbState, version: number): Promise<KbPointer> {
  const pointer: KbPointer = {
    collection: state.collection,
    version,
    ...(state.current !== version && isServable(state, state.current)
      ? { previous: state.current }
      : state.pointer?.previous
        ? { previous: state.pointer.previous }
        : {}),
    switchedAt: new Date().toISOString(),
  };
  try {
    await jsm.jetstream().publish(kbPointerSubject(state.collection), encodeJson(pointer), { expect: { lastSubjectSequence: state.pointerSequence } });
  } catch (err) {
    throw new CliError(`could not switch collection '${state.collection}' to version ${version}: ${err instanceof Error ? err.message : String(err)} (another switch may have happened meanwhile; check \`kbalign kb versions ${state.collection}\`)`);
  }
  return pointer;
}

/** Subjects of the KB stream matching `filter` (each once). */
async function subjectsOf(jsm: JetStreamManager, filter: string): Promise<string[]> {
  const info = await jsm.streams.info(KB_STREAM, { subjects_filter: filter });
  return Object.keys(info.state.subjects ?? {});
}

/**
 * Before loading a new version into a collection that holds nothing, points it at version 0
 * (nothing served), so that its first version too is served only once complete: without a pointer
 * a retriever serves version 1 as its documents arrive (the layout from before versions existed).
 * Returns the state to load against.
 */
export async function holdNewCollection(jsm: JetStreamManager, state: KbState): Promise<KbState> {
  if (state.pointer || state.hasVersionOne || state.manifests.length > 0) return state;
  await publishPointer(jsm, state, 0);
  return readKbState(jsm, state.collection);
}
