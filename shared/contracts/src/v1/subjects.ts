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
 */
export function kbDocumentSubject(collection: string, documentId: string): string {
  const token = createHash("sha256").update(documentId).digest("base64url");
  return `${Subjects.kbPrefix}.${collection}.${token}`;
}

/** The collection a KB subject belongs to, or undefined for a subject outside the KB. */
export function collectionOfKbSubject(subject: string): string | undefined {
  const parts = subject.split(".");
  return parts.length === 5 && `${parts[0]}.${parts[1]}.${parts[2]}` === Subjects.kbPrefix ? parts[3] : undefined;
}
