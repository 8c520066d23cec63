import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";

export type DocumentFileKind = "jsonl" | "markdown" | "text";

export type FileEntry =
  | { kind: DocumentFileKind; path: string; relative: string }
  | { kind: "skipped"; path: string; relative: string; reason: string };

const KINDS: Record<string, DocumentFileKind> = { ".jsonl": "jsonl", ".md": "markdown", ".txt": "text" };

/** The reader a file name calls for, or undefined for a file kbalign does not ingest. */
export const documentFileKind = (name: string): DocumentFileKind | undefined => KINDS[extname(name).toLowerCase()];

/**
 * Every file under `root`, depth first in name order (so ids and reports are the same on every
 * run). `relative` uses `/` on every platform: it becomes a document id. Hidden entries (`.git`,
 * `.DS_Store`) are passed over, and symbolic links to directories are not followed (no loops).
 */
export async function* walkFiles(root: string, relative = ""): AsyncGenerator<FileEntry> {
  const directory = join(root, relative);
  const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
    const path = join(root, rel);
    if (entry.name.startsWith(".")) {
      yield { kind: "skipped", path, relative: rel, reason: "hidden" };
      continue;
    }
    if (entry.isDirectory()) {
      yield* walkFiles(root, rel);
      continue;
    }
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(path).then((s) => s.isFile(), () => false)));
    if (!isFile) {
      yield { kind: "skipped", path, relative: rel, reason: entry.isSymbolicLink() ? "not a regular file (link to a directory, or broken)" : "not a regular file" };
      continue;
    }
    const kind = documentFileKind(entry.name);
    if (kind) yield { kind, path, relative: rel };
    else yield { kind: "skipped", path, relative: rel, reason: "not a .jsonl, .md or .txt file" };
  }
}
