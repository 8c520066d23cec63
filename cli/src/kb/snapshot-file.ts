import { createHash } from "node:crypto";
import { z } from "zod";
import { CollectionName, KbDocument, KbVersion, type CollectionName as Name } from "@kbalign/contracts";

/**
 * A collection snapshot, one file (docs/rollback.md): JSON Lines, UTF-8.
 *
 *   line 1      header  {"format":"kbalign-snapshot","formatVersion":1,"collection":…,"kbVersion":…,"documents":N,"createdAt":…}
 *   lines 2…N+1 one document each {"id","title"?,"text","source"?}
 *   last line   trailer {"sha256": hex of every byte before this line}
 *
 * The trailer makes a truncated or altered file fail verification as a whole, before anything is restored.
 */
export const SNAPSHOT_FORMAT = "kbalign-snapshot";
export const SNAPSHOT_FORMAT_VERSION = 1;

const SnapshotHeader = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  formatVersion: z.literal(SNAPSHOT_FORMAT_VERSION),
  collection: CollectionName,
  kbVersion: KbVersion,
  documents: z.number().int().min(0),
  createdAt: z.string(),
});
export type SnapshotHeader = z.infer<typeof SnapshotHeader>;

const SnapshotTrailer = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const SnapshotDocument = KbDocument.omit({ collection: true });
export type SnapshotDocument = z.infer<typeof SnapshotDocument>;

export interface Snapshot {
  header: SnapshotHeader;
  documents: SnapshotDocument[];
}

/** Thrown for a file that is not a complete, intact snapshot; the message says what is wrong. */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
}

/** The snapshot as file content. */
export function encodeSnapshot(collection: Name, kbVersion: number, documents: readonly SnapshotDocument[]): string {
  const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, formatVersion: SNAPSHOT_FORMAT_VERSION, collection, kbVersion, documents: documents.length, createdAt: new Date().toISOString() };
  const body = [JSON.stringify(header), ...documents.map((d) => JSON.stringify(d))].join("\n") + "\n";
  return `${body}${JSON.stringify({ sha256: sha256(body) })}\n`;
}

/** Reads and verifies a snapshot: its checksum, header, document count and every document. Throws SnapshotError. */
export function decodeSnapshot(content: string): Snapshot {
  const trimmed = content.endsWith("\n") ? content.slice(0, -1) : content;
  const cut = trimmed.lastIndexOf("\n");
  if (cut < 0) throw new SnapshotError("not a kbalign snapshot: no checksum line (the file is empty or truncated)");
  const body = trimmed.slice(0, cut + 1);
  const trailer = SnapshotTrailer.safeParse(parseLine(trimmed.slice(cut + 1)));
  if (!trailer.success) throw new SnapshotError("the last line is not the checksum line: the file is truncated or not a kbalign snapshot");
  if (sha256(body) !== trailer.data.sha256) throw new SnapshotError("checksum mismatch: the file is corrupt (changed or damaged since it was written)");
  const lines = body.slice(0, -1).split("\n");
  const header = SnapshotHeader.safeParse(parseLine(lines[0] ?? ""));
  if (!header.success) throw new SnapshotError(`invalid header (line 1): ${header.error.issues[0]?.path.join(".") || "header"}: ${header.error.issues[0]?.message ?? "invalid"}`);
  const documents: SnapshotDocument[] = [];
  for (let i = 1; i < lines.length; i++) {
    const parsed = SnapshotDocument.safeParse(parseLine(lines[i]!));
    if (!parsed.success) throw new SnapshotError(`invalid document on line ${i + 1}: ${parsed.error.issues[0]?.path.join(".") || "document"}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    documents.push(parsed.data);
  }
  if (documents.length !== header.data.documents) throw new SnapshotError(`the header announces ${header.data.documents} documents, the file holds ${documents.length}`);
  return { header: header.data, documents };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
