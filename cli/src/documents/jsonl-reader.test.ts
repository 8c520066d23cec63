import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_DOCUMENT_TEXT_BYTES } from "@kbalign/contracts";
import { parseJsonlLine, readJsonlFile } from "./jsonl-reader.js";
import type { SourceRecord } from "./source-record.js";

const options = { collection: "docs", source: "corpus.jsonl" };

async function collect(file: string): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const record of readJsonlFile(file, { ...options, displayPath: "data/corpus.jsonl" })) records.push(record);
  return records;
}

describe("readJsonlFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-jsonl-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a BEIR corpus.jsonl with `_id` as the document id, title kept, metadata ignored", async () => {
    const file = join(dir, "corpus.jsonl");
    await writeFile(
      file,
      [
        JSON.stringify({ _id: "4983", title: "Microstructural development", text: "Alterations of the architecture of cerebral white matter.", metadata: {} }),
        JSON.stringify({ _id: "5836", title: "", text: "Induction of myelodysplasia." }),
      ].join("\n") + "\n",
    );
    expect(await collect(file)).toEqual([
      {
        kind: "document",
        where: "data/corpus.jsonl:1",
        document: { id: "4983", collection: "docs", title: "Microstructural development", text: "Alterations of the architecture of cerebral white matter.", source: "corpus.jsonl" },
      },
      { kind: "document", where: "data/corpus.jsonl:2", document: { id: "5836", collection: "docs", text: "Induction of myelodysplasia.", source: "corpus.jsonl" } },
    ]);
  });

  it("reports bad lines with their line numbers and keeps reading the good ones", async () => {
    const file = join(dir, "corpus.jsonl");
    await writeFile(
      file,
      [
        JSON.stringify({ id: "a", text: "first" }),
        "",
        "{not json",
        JSON.stringify({ title: "no id", text: "x" }),
        JSON.stringify({ id: "b" }),
        JSON.stringify({ id: "c", text: "   " }),
        JSON.stringify(["an", "array"]),
        JSON.stringify({ id: "d", text: 42 }),
        JSON.stringify({ id: "e", text: "last" }),
      ].join("\r\n"),
    );
    const records = await collect(file);
    expect(records.map((r) => [r.kind, r.where])).toEqual([
      ["document", "data/corpus.jsonl:1"],
      ["rejected", "data/corpus.jsonl:3"],
      ["rejected", "data/corpus.jsonl:4"],
      ["rejected", "data/corpus.jsonl:5"],
      ["rejected", "data/corpus.jsonl:6"],
      ["rejected", "data/corpus.jsonl:7"],
      ["rejected", "data/corpus.jsonl:8"],
      ["document", "data/corpus.jsonl:9"],
    ]);
    const reasons = records.filter((r) => r.kind === "rejected").map((r) => (r.kind === "rejected" ? r.reason : ""));
    expect(reasons[0]).toMatch(/^not valid JSON/);
    expect(reasons[1]).toBe("missing '_id' or 'id'");
    expect(reasons[2]).toBe("missing 'text' (or 'content')");
    expect(reasons[3]).toBe("text: must not be empty");
    expect(reasons[4]).toBe("not a JSON object");
    expect(reasons[5]).toMatch(/^text: /);
  });
});

describe("parseJsonlLine", () => {
  it("accepts `id` and `content` as well as `_id` and `text`", () => {
    expect(parseJsonlLine(JSON.stringify({ id: "x", content: "body" }), options, "f:1")).toEqual({
      kind: "document",
      where: "f:1",
      document: { id: "x", collection: "docs", text: "body", source: "corpus.jsonl" },
    });
  });

  it("prefers BEIR's `_id` over `id`, and turns numeric ids into strings", () => {
    const record = parseJsonlLine(JSON.stringify({ _id: 7, id: "other", text: "t" }), options, "f:1");
    expect(record).toMatchObject({ kind: "document", document: { id: "7" } });
  });

  it("refuses a text larger than MAX_DOCUMENT_TEXT_BYTES, saying so, instead of dropping it", () => {
    const record = parseJsonlLine(JSON.stringify({ _id: "big", text: "字".repeat(MAX_DOCUMENT_TEXT_BYTES / 3 + 1) }), options, "f:9");
    expect(record).toMatchObject({ kind: "rejected", where: "f:9" });
    expect(record.kind === "rejected" && record.reason).toMatch(/^too large: text is \d+ bytes, the limit is 900000$/);
  });

  it("refuses an id longer than the contract allows", () => {
    const record = parseJsonlLine(JSON.stringify({ _id: "x".repeat(513), text: "t" }), options, "f:2");
    expect(record).toMatchObject({ kind: "rejected", where: "f:2" });
    expect(record.kind === "rejected" && record.reason).toMatch(/^id: /);
  });
});
