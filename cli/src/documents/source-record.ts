import { KbDocument, MAX_DOCUMENT_TEXT_BYTES, type CollectionName } from "@kbalign/contracts";

/**
 * What reading a path yields, one per document found (or file passed over). `where` is what the
 * user can open: `file:line` for a JSONL record, the file path for a Markdown or text file.
 */
export type SourceRecord =
  | { kind: "document"; where: string; document: KbDocument }
  | { kind: "rejected"; where: string; reason: string }
  | { kind: "skipped"; where: string; reason: string };

/** A document as a reader found it, before validation. */
export interface DocumentCandidate {
  id: string;
  title?: string;
  text: string;
  source?: string;
}

/**
 * Validates a candidate against the stored document schema. Oversized texts are refused with their
 * size (NATS could not carry them), never silently dropped or truncated.
 */
export function validateDocument(candidate: DocumentCandidate, collection: CollectionName, where: string): SourceRecord {
  const bytes = Buffer.byteLength(candidate.text, "utf8");
  if (bytes > MAX_DOCUMENT_TEXT_BYTES) {
    return { kind: "rejected", where, reason: `too large: text is ${bytes} bytes, the limit is ${MAX_DOCUMENT_TEXT_BYTES}` };
  }
  const parsed = KbDocument.safeParse({ ...candidate, collection });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join(".") ?? "";
    return { kind: "rejected", where, reason: `${field === "" ? "document" : field}: ${issue?.message ?? "invalid"}` };
  }
  return { kind: "document", where, document: parsed.data };
}
