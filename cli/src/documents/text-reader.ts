import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { MAX_DOCUMENT_TEXT_BYTES, type CollectionName } from "@kbalign/contracts";
import { validateDocument, type SourceRecord } from "./source-record.js";

export interface TextReadOptions {
  collection: CollectionName;
  /** The document id: the file's path relative to the root the user gave. */
  id: string;
  displayPath: string;
}

/** Longest title kept from a heading; a heading is a label, not a paragraph. */
const MAX_TITLE_CHARS = 300;

/** A Markdown or plain-text file is one document: the whole file is its text. */
export async function readTextDocument(file: string, options: TextReadOptions): Promise<SourceRecord> {
  const where = options.displayPath;
  // Refuse a huge file by its size before reading it into memory.
  const size = (await stat(file)).size;
  if (size > MAX_DOCUMENT_TEXT_BYTES) {
    return { kind: "rejected", where, reason: `too large: file is ${size} bytes, the limit is ${MAX_DOCUMENT_TEXT_BYTES}` };
  }
  const text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  const isMarkdown = extname(file).toLowerCase() === ".md";
  const title = (isMarkdown ? firstMarkdownHeading(text) : undefined) ?? basename(file, extname(file));
  return validateDocument({ id: options.id, title, text, source: options.id }, options.collection, where);
}

/** The first ATX (`# Title`) or setext (`Title` over `===`) heading outside code fences. */
export function firstMarkdownHeading(markdown: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s{0,3}(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const atx = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (atx?.[1]) return atx[1].slice(0, MAX_TITLE_CHARS);
    const next = lines[i + 1];
    if (line.trim() !== "" && next !== undefined && /^\s{0,3}=+\s*$/.test(next)) return line.trim().slice(0, MAX_TITLE_CHARS);
  }
  return undefined;
}
