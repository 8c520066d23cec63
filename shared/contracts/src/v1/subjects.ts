import { createHash } from "node:crypto";

/** Every NATS subject and name kbalign uses, in one place. The `v1` is the contract version. */
export const Subjects = {
  /** Public: a question in, stage events out on the reply subject. */
  query: "kbalign.v1.query",
  /** Public: `{ requestId }` stops a request; every orchestrator replica listens. */
  cancel: "kbalign.v1.cancel",
  /** Internal: orchestrator -> retriever. */
  retrieve: "kbalign.v1.retrieve",
  /** Internal: orchestrator -> generator, reply streamed as GenerateReply messages. */
  generate: "kbalign.v1.generate",
  /** Internal: `{ streamId }` stops a generation; every generator replica listens. */
  generateCancel: "kbalign.v1.generate.cancel",
  /** Knowledge-base documents: `kbalign.v1.kb.<collection>.<doc token>`. */
  kbPrefix: "kbalign.v1.kb",
} as const;

/**
 * The subject only one replica serves: `<subject>.instance.<instance id>`, the id being its services
 * framework id (what `$SRV.PING` answers). The orchestrator sends a call there to choose the replica,
 * so that a retry goes to another one than the replica that failed.
 */
export function instanceSubject(subject: typeof Subjects.retrieve | typeof Subjects.generate, instanceId: string): string {
  return `${subject}.instance.${instanceId}`;
}

/** The shared subject an instance subject belongs to (a subject not per instance is its own). */
export function sharedSubjectOf(subject: string): string {
  const at = subject.indexOf(".instance.");
  return at === -1 ? subject : subject.slice(0, at);
}

export const ServiceNames = {
  retriever: "kbalign-retriever",
  generator: "kbalign-generator",
  orchestrator: "kbalign-orchestrator",
} as const;

/** The JetStream stream that holds every knowledge-base document (latest version per document). */
export const KB_STREAM = "KBALIGN_KB";

/** Subject filter matching every document of every collection. */
export const kbAllSubjects = `${Subjects.kbPrefix}.>`;

/**
 * The subject a document is stored under. Document ids may hold any character, so the last token
 * is a hash of the id: one subject per document, and the stream keeps one message per subject,
 * which makes re-ingesting a document replace it instead of duplicating it.
 *
 * A collection has numbered versions. Version 1 keeps the original layout
 * `kbalign.v1.kb.<collection>.<doc token>` (so a stream written before versions existed is version 1
 * as it is); version N ≥ 2 is `kbalign.v1.kb.<collection>.<N>.<doc token>`. A deleted document keeps
 * its subject, holding a tombstone.
 */
export function kbDocumentSubject(collection: string, documentId: string, version = 1): string {
  const token = createHash("sha256").update(documentId).digest("base64url");
  return version === 1 ? `${Subjects.kbPrefix}.${collection}.${token}` : `${Subjects.kbPrefix}.${collection}.${version}.${token}`;
}

/** Last token of a collection's pointer subject (a document token is a 43-character hash, never this). */
const POINTER_TOKEN = "current";
/** Last token of a version's manifest subject. */
const MANIFEST_TOKEN = "manifest";

/** The subject of the message naming the version a collection serves: `kbalign.v1.kb.<collection>.current`. */
export const kbPointerSubject = (collection: string): string => `${Subjects.kbPrefix}.${collection}.${POINTER_TOKEN}`;

/** The subject of the manifest written once a version is completely loaded: `kbalign.v1.kb.<collection>.<N>.manifest`. */
export const kbManifestSubject = (collection: string, version: number): string => `${Subjects.kbPrefix}.${collection}.${version}.${MANIFEST_TOKEN}`;

/** Subject filter of every manifest of a collection. */
export const kbManifestFilter = (collection: string): string => `${Subjects.kbPrefix}.${collection}.*.${MANIFEST_TOKEN}`;

/**
 * Subject filter of a version's documents. Version 1's filter also matches the pointer subject, so a
 * reader keeps only what `parseKbSubject` calls a document of that version.
 */
export const kbVersionFilter = (collection: string, version: number): string =>
  version === 1 ? `${Subjects.kbPrefix}.${collection}.*` : `${Subjects.kbPrefix}.${collection}.${version}.*`;

/** Subject filter of everything a collection holds (all versions, pointer, manifests). */
export const kbCollectionFilter = (collection: string): string => `${Subjects.kbPrefix}.${collection}.>`;

/** What a subject of the KB stream holds. */
export type KbSubject =
  | { kind: "document"; collection: string; version: number }
  | { kind: "pointer"; collection: string }
  | { kind: "manifest"; collection: string; version: number };

/** Reads a KB subject; undefined for a subject outside the KB layout. */
export function parseKbSubject(subject: string): KbSubject | undefined {
  const parts = subject.split(".");
  if (`${parts[0]}.${parts[1]}.${parts[2]}` !== Subjects.kbPrefix) return undefined;
  const collection = parts[3];
  if (collection === undefined) return undefined;
  if (parts.length === 5) return parts[4] === POINTER_TOKEN ? { kind: "pointer", collection } : { kind: "document", collection, version: 1 };
  if (parts.length !== 6 || !/^[1-9][0-9]{0,8}$/.test(parts[4]!)) return undefined;
  const version = Number(parts[4]);
  return parts[5] === MANIFEST_TOKEN ? { kind: "manifest", collection, version } : { kind: "document", collection, version };
}

/** The collection a KB subject belongs to, or undefined for a subject outside the KB. */
export function collectionOfKbSubject(subject: string): string | undefined {
  return parseKbSubject(subject)?.collection;
}
