import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeSnapshot, encodeSnapshot, SnapshotError } from "./snapshot-file.js";

const docs = [
  { id: "a", title: "Tides", text: "Tides follow the moon.\nTwice a day." },
  { id: "b", text: "大熊猫吃竹子。" },
];

describe("snapshot file", () => {
  it("round-trips a collection's documents with their version", () => {
    const decoded = decodeSnapshot(encodeSnapshot("docs", 3, docs));
    expect(decoded.header).toMatchObject({ format: "kbalign-snapshot", formatVersion: 1, collection: "docs", kbVersion: 3, documents: 2 });
    expect(decoded.documents).toEqual(docs);
  });

  it("round-trips an empty collection", () => {
    expect(decodeSnapshot(encodeSnapshot("docs", 1, [])).documents).toEqual([]);
  });

  it("refuses a truncated file", () => {
    const content = encodeSnapshot("docs", 1, docs);
    for (const cut of [0, 10, content.indexOf("\n") + 1, content.length - 20]) {
      expect(() => decodeSnapshot(content.slice(0, cut))).toThrow(SnapshotError);
    }
  });

  it("refuses a file changed after it was written, naming the checksum", () => {
    const content = encodeSnapshot("docs", 1, docs).replace("Twice a day", "Thrice a day");
    expect(() => decodeSnapshot(content)).toThrow(/checksum mismatch/);
  });

  it("refuses a document line removed with the checksum recomputed, by the header's count", () => {
    const lines = encodeSnapshot("docs", 1, docs).split("\n");
    const body = [lines[0], lines[1]].join("\n") + "\n";
    const forged = `${body}${JSON.stringify({ sha256: createHash("sha256").update(body).digest("hex") })}\n`;
    expect(() => decodeSnapshot(forged)).toThrow(/announces 2 documents, the file holds 1/);
  });
});
