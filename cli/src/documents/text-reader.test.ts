import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_DOCUMENT_TEXT_BYTES } from "@kbalign/contracts";
import { firstMarkdownHeading, readTextDocument } from "./text-reader.js";

describe("firstMarkdownHeading", () => {
  it.each([
    ["# Ocean tides\n\nText.", "Ocean tides"],
    ["Intro line\n\n## Second level ##\n", "Second level"],
    ["```\n# not a heading\n```\n# Real\n", "Real"],
    ["Setext title\n=====\n\nBody", "Setext title"],
    ["# 太阳系\n\n太阳系以太阳为中心。", "太阳系"],
  ])("finds the title of %j", (markdown, title) => {
    expect(firstMarkdownHeading(markdown)).toBe(title);
  });

  it("returns undefined when there is no heading", () => {
    expect(firstMarkdownHeading("just text\n#hashtag is not a heading")).toBeUndefined();
  });
});

describe("readTextDocument", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-text-"));
    await writeFile(join(dir, "tides.md"), "# Ocean tides\n\nTides are caused by the Moon.\n");
    await writeFile(join(dir, "notes.txt"), "# not a title in a .txt\nPlain notes.");
    await writeFile(join(dir, "plain.md"), "No heading here.");
    await writeFile(join(dir, "empty.md"), "  \n");
    await writeFile(join(dir, "huge.txt"), "x".repeat(MAX_DOCUMENT_TEXT_BYTES + 1));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = (name: string, id = name) => readTextDocument(join(dir, name), { collection: "docs", id, displayPath: `kb/${name}` });

  it("makes the whole Markdown file one document titled by its first heading", async () => {
    expect(await read("tides.md", "sea/tides.md")).toEqual({
      kind: "document",
      where: "kb/tides.md",
      document: { id: "sea/tides.md", collection: "docs", title: "Ocean tides", text: "# Ocean tides\n\nTides are caused by the Moon.", source: "sea/tides.md" },
    });
  });

  it("titles a text file, or a Markdown file with no heading, by its file name", async () => {
    expect(await read("notes.txt")).toMatchObject({ kind: "document", document: { title: "notes" } });
    expect(await read("plain.md")).toMatchObject({ kind: "document", document: { title: "plain" } });
  });

  it("rejects an empty file and an oversized one, with the reason", async () => {
    expect(await read("empty.md")).toEqual({ kind: "rejected", where: "kb/empty.md", reason: "text: must not be empty" });
    expect(await read("huge.txt")).toMatchObject({ kind: "rejected", where: "kb/huge.txt", reason: expect.stringMatching(/^too large: file is \d+ bytes/) });
  });
});
