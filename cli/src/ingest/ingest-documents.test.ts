import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KB_STREAM, KbDocument, kbDocumentSubject } from "@kbalign/contracts";
import { connectNats, decodeJson, ensureKbStream, type NatsConnection } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { openDocumentSource } from "../documents/document-source.js";
import { memoryTerminal } from "../terminal.js";
import { ingestDocuments } from "./ingest-documents.js";

describe("ingestDocuments into a real JetStream stream", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let dir: string;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "ingest-test" });
    dir = await mkdtemp(join(tmpdir(), "kbalign-ingest-"));
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const storedCount = async () => (await (await ensureKbStream(nc)).streams.info(KB_STREAM)).state.messages;
  const stored = async (collection: string, id: string) => {
    const jsm = await ensureKbStream(nc);
    const msg = await jsm.streams.getMessage(KB_STREAM, { last_by_subj: kbDocumentSubject(collection, id) });
    return msg ? KbDocument.parse(decodeJson(msg.data)) : undefined;
  };

  it("publishes the valid records, rejects the invalid one with file:line, and never publishes it", async () => {
    const file = join(dir, "corpus.jsonl");
    await writeFile(
      file,
      [
        JSON.stringify({ _id: "en-tides", title: "Ocean tides", text: "Tides are caused by the Moon." }),
        JSON.stringify({ _id: "zh-yangtze", title: "长江", text: "长江是中国最长的河流。" }),
        JSON.stringify({ _id: "empty", text: "" }),
        JSON.stringify({ _id: "en-bees", text: "Bees dance." }),
      ].join("\n"),
    );
    const report = await ingestDocuments(nc, await openDocumentSource(file), { collection: "docs", progress: false }, memoryTerminal());
    expect(report).toMatchObject({ collection: "docs", published: 3, rejected: 1, rejections: [{ where: `${file}:3`, reason: "text: must not be empty" }] });
    expect(await storedCount()).toBe(3);
    expect(await stored("docs", "zh-yangtze")).toEqual({ id: "zh-yangtze", collection: "docs", title: "长江", text: "长江是中国最长的河流。", source: "corpus.jsonl" });
    expect(await stored("docs", "empty")).toBeUndefined();
  });

  it("replaces a document ingested again instead of duplicating it", async () => {
    const file = join(dir, "update.jsonl");
    await writeFile(file, JSON.stringify({ _id: "en-tides", title: "Ocean tides", text: "Tides: the Moon and the Sun." }));
    const report = await ingestDocuments(nc, await openDocumentSource(file), { collection: "docs", progress: false }, memoryTerminal());
    expect(report.published).toBe(1);
    expect(await storedCount()).toBe(3);
    expect((await stored("docs", "en-tides"))?.text).toBe("Tides: the Moon and the Sun.");
  });

  it("publishes thousands of documents with bounded acks in flight, every one stored", async () => {
    const file = join(dir, "many.jsonl");
    const count = 2_000;
    await writeFile(file, Array.from({ length: count }, (_, i) => JSON.stringify({ _id: `doc-${i}`, text: `document number ${i}` })).join("\n"));
    const report = await ingestDocuments(nc, await openDocumentSource(file), { collection: "many", progress: false, maxInFlight: 64 }, memoryTerminal());
    expect(report).toMatchObject({ published: count, rejected: 0 });
    expect(await storedCount()).toBe(3 + count);
    expect((await stored("many", "doc-1999"))?.text).toBe("document number 1999");
  });
});
