import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { CollectionName } from "@kbalign/contracts";
import { CliError } from "../errors.js";
import { documentFileKind, walkFiles, type FileEntry } from "./file-walker.js";
import { readJsonlFile } from "./jsonl-reader.js";
import { type SourceRecord } from "./source-record.js";
import { readTextDocument } from "./text-reader.js";

/** A path the user asked to ingest, checked to exist and to be something kbalign can read. */
export interface DocumentSource {
  /** The path as the user gave it: reports name files under it. */
  path: string;
  /** Ids of Markdown and text documents are paths relative to this. */
  root: string;
  /** Every file to read (and the ones passed over, to list them). */
  files(): AsyncGenerator<FileEntry>;
}

/** Checks `path` before any connection is made, so a typo fails at once. */
export async function openDocumentSource(path: string): Promise<DocumentSource> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(err.code === "ENOENT" ? `cannot ingest ${path}: no such file or directory` : `cannot ingest ${path}: ${err.message}`);
  });
  if (info.isDirectory()) return { path, root: path, files: () => walkFiles(path) };
  const kind = documentFileKind(path);
  if (!info.isFile() || !kind) throw new CliError(`cannot ingest ${path}: expected a directory or a .jsonl, .md or .txt file`);
  const entry: FileEntry = { kind, path, relative: basename(path) };
  return {
    path,
    root: dirname(path),
    files: async function* () {
      yield entry;
    },
  };
}

/** Every document under the source, in a stable order, each validated or rejected with a reason. */
export async function* readDocuments(source: DocumentSource, collection: CollectionName): AsyncGenerator<SourceRecord> {
  for await (const file of source.files()) {
    const displayPath = source.root === source.path ? join(source.path, file.relative) : source.path;
    switch (file.kind) {
      case "skipped":
        yield { kind: "skipped", where: displayPath, reason: file.reason };
        break;
      case "jsonl":
        yield* readJsonlFile(file.path, { collection, displayPath, source: file.relative });
        break;
      case "markdown":
      case "text":
        yield await readTextDocument(file.path, { collection, id: file.relative, displayPath });
        break;
    }
  }
}

/**
 * About how many records the source holds, for a progress bar's total: JSONL lines are counted by
 * their newlines without parsing (cheap next to publishing), each other document file counts one.
 */
export async function estimateRecordCount(source: DocumentSource): Promise<number> {
  let total = 0;
  for await (const file of source.files()) {
    if (file.kind === "jsonl") total += await countLines(file.path);
    else if (file.kind !== "skipped") total++;
  }
  return total;
}

async function countLines(file: string): Promise<number> {
  const NEWLINE = 0x0a;
  let lines = 0;
  let last = NEWLINE;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1] ?? NEWLINE;
  }
  return last === NEWLINE ? lines : lines + 1;
}
