import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { estimateRecordCount, openDocumentSource, readDocuments } from "./document-source.js";
import type { SourceRecord } from "./source-record.js";

async function collect(path: string): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const record of readDocuments(await openDocumentSource(path), "docs")) records.push(record);
  return records;
}

describe("openDocumentSource / readDocuments", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kbalign-source-"));
    await mkdir(join(root, "kb", "zh", "deep"), { recursive: true });
    await mkdir(join(root, "kb", ".git"), { recursive: true });
    await writeFile(join(root, "kb", "b.md"), "# Bee\nHoney bees dance.");
    await writeFile(join(root, "kb", "a.txt"), "Alpha.");
    await writeFile(join(root, "kb", "zh", "deep", "茶.md"), "# 茶叶\n绿茶不经过发酵。");
    await writeFile(join(root, "kb", "zh", "corpus.jsonl"), `${JSON.stringify({ _id: "doc-1", text: "one" })}\n{oops\n`);
    await writeFile(join(root, "kb", "image.png"), "png");
    await writeFile(join(root, "kb", ".git", "config"), "ignored");
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("reads a directory recursively in name order, ids relative to it, other files listed as skipped", async () => {
    const dir = join(root, "kb");
    const records = await collect(dir);
    expect(records.map((r) => [r.kind, r.kind === "document" ? r.document.id : r.where])).toEqual([
      ["skipped", join(dir, ".git")],
      ["document", "a.txt"],
      ["document", "b.md"],
      ["skipped", join(dir, "image.png")],
      ["document", "doc-1"],
      ["rejected", `${join(dir, "zh", "corpus.jsonl")}:2`],
      ["document", "zh/deep/茶.md"],
    ]);
    expect(records.find((r) => r.kind === "document" && r.document.id === "zh/deep/茶.md")).toMatchObject({ document: { title: "茶叶" } });
  });

  it("reads a single file with its name as the id", async () => {
    const records = await collect(join(root, "kb", "b.md"));
    expect(records).toEqual([{ kind: "document", where: join(root, "kb", "b.md"), document: expect.objectContaining({ id: "b.md", title: "Bee" }) }]);
  });

  it("estimates the record count for a progress bar from JSONL lines and files", async () => {
    expect(await estimateRecordCount(await openDocumentSource(join(root, "kb")))).toBe(5);
  });

  it("refuses a missing path and an unsupported file with a clear CliError", async () => {
    await expect(openDocumentSource(join(root, "nope"))).rejects.toThrow(new CliError(`cannot ingest ${join(root, "nope")}: no such file or directory`));
    await expect(openDocumentSource(join(root, "kb", "image.png"))).rejects.toThrow(/expected a directory or a \.jsonl, \.md or \.txt file/);
  });
});
