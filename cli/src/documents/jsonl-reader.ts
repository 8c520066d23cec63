import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { z } from "zod";
import type { CollectionName } from "@kbalign/contracts";
import { validateDocument, type SourceRecord } from "./source-record.js";

const DocumentId = z.union([z.string(), z.number().transform(String)]);

/**
 * One JSONL line. BEIR's corpus.jsonl is `{"_id", "title", "text", "metadata"}` and its `_id` is
 * the document id; other exports use `id` and sometimes `content`. Extra keys are ignored.
 */
const JsonlRecord = z.object({
  _id: DocumentId.optional(),
  id: DocumentId.optional(),
  title: z.string().nullish(),
  text: z.string().nullish(),
  content: z.string().nullish(),
});

export interface JsonlReadOptions {
  collection: CollectionName;
  /** How the file is named in reports (`<displayPath>:<line>`). */
  displayPath: string;
  /** Stored as each document's `source`. */
  source: string;
}

/** Streams a JSONL file one line at a time (BEIR corpora can be far larger than memory wants). */
export async function* readJsonlFile(file: string, options: JsonlReadOptions): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const rawLine of lines) {
    lineNumber++;
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, "") : rawLine;
    if (line.trim() === "") continue;
    yield parseJsonlLine(line, options, `${options.displayPath}:${lineNumber}`);
  }
}

/** Turns one non-blank JSONL line into a document or a rejection naming the reason. */
export function parseJsonlLine(line: string, options: Omit<JsonlReadOptions, "displayPath">, where: string): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { kind: "rejected", where, reason: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "rejected", where, reason: "not a JSON object" };
  const record = JsonlRecord.safeParse(value);
  if (!record.success) {
    const issue = record.error.issues[0];
    return { kind: "rejected", where, reason: `${issue?.path.map(String).join(".") ?? "record"}: ${issue?.message ?? "invalid"}` };
  }
  const id = record.data._id ?? record.data.id;
  if (id === undefined) return { kind: "rejected", where, reason: "missing '_id' or 'id'" };
  const text = record.data.text ?? record.data.content;
  if (text === undefined || text === null) return { kind: "rejected", where, reason: "missing 'text' (or 'content')" };
  const title = record.data.title?.trim();
  return validateDocument({ id, text, source: options.source, ...(title ? { title } : {}) }, options.collection, where);
}
