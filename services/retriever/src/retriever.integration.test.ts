// The retriever in-process on a real nats-server with JetStream, called over NATS as the orchestrator calls it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { BadRequestError, CollectionNotFoundError, UnavailableError, type KbDocument } from "@kbalign/contracts";
import { connectNats, type NatsConnection } from "@kbalign/nats";
import { startOpsServer } from "@kbalign/telemetry";
import { chineseCorpus, englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { captureLog, eventually, inCollection, metricValue, publishDocuments, retrieve } from "../test/fixtures/kb.js";
import { loadConfig } from "./config.js";
import { startRetriever, type RetrieverHandle } from "./start-retriever.js";

const config = loadConfig({ KBALIGN_KB_PULL_EXPIRES_MS: "2000" });

describe("retriever over a real nats-server", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  const running: RetrieverHandle[] = [];
  const connections: NatsConnection[] = [];

  /** Starts a retriever; stopped after the test, so no replica of one test answers another's requests. */
  async function start(on: NatsConnection = nc, registry = new Registry()): Promise<RetrieverHandle & { registry: Registry }> {
    const handle = await startRetriever({ nc: on, config, log: captureLog("silent").log, registry });
    running.push(handle);
    return Object.assign(handle, { registry });
  }

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "retriever-test" });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await Promise.all(connections.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("retrieves the right English document and the right Chinese document", async () => {
    await publishDocuments(nc, [...inCollection("en", englishCorpus), ...inCollection("zh", chineseCorpus)]);
    const retriever = await start();
    await retriever.caughtUp;

    // "sun" is in three documents; "tides" in one.
    const en = await retrieve(nc, { collection: "en", query: "What does the Sun do to the tides?", topn: 3 });
    const tides = englishCorpus.find((d) => d.id === "en-tides")!;
    expect(en.docs).toHaveLength(3);
    expect(en.docs[0]).toEqual({ id: "en-tides", title: tides.title, text: tides.text, score: expect.any(Number) });
    expect(en.docs[0]!.score).toBeGreaterThan(en.docs[1]!.score);

    const zh = await retrieve(nc, { collection: "zh", query: "大熊猫吃什么？", topn: 2 });
    expect(zh.docs.map((d) => d.id)[0]).toBe("zh-panda");

    expect(retriever.indexes.documentCounts()).toMatchObject({ en: englishCorpus.length, zh: chineseCorpus.length });
    expect(await metricValue(retriever.registry, "kbalign_index_documents", { collection: "zh" })).toBe(chineseCorpus.length);
    expect(await metricValue(retriever.registry, "kbalign_index_caught_up")).toBe(1);
    expect(await metricValue(retriever.registry, "kbalign_endpoint_duration_seconds", { endpoint: "retrieve", code: "OK" })).toBeGreaterThan(0);
  });

  it("is not ready and does not answer until its index has caught up", async () => {
    const docs: KbDocument[] = Array.from({ length: 200 }, (_, i) => ({ id: `d${i}`, collection: "gate", text: `document number ${i} about gates` }));
    await publishDocuments(nc, docs);
    const retriever = await start();
    const ops = await startOpsServer({ port: 0, host: "127.0.0.1", registry: retriever.registry, ready: retriever.ready });
    try {
      // startRetriever resolves before any message is processed, and the endpoint subscribes only
      // after the last one: this request (on the retriever's own connection, so ordered before its
      // subscription) finds nobody.
      expect(retriever.ready()).toBe(false);
      const early = await retrieve(nc, { collection: "gate", query: "gates", topn: 1 }).catch((e: unknown) => e);
      expect(early).toBeInstanceOf(UnavailableError);

      await retriever.caughtUp;
      expect(retriever.ready()).toBe(true);
      expect((await fetch(`http://127.0.0.1:${ops.port}/readyz`)).status).toBe(200);
      expect(retriever.indexes.get("gate")!.size).toBe(docs.length);
      await expect(retrieve(nc, { collection: "gate", query: "document number 17", topn: 1 })).resolves.toMatchObject({ docs: [{ id: "d17" }] });
      await retriever.stop();
      expect(retriever.ready()).toBe(false);
      expect((await fetch(`http://127.0.0.1:${ops.port}/readyz`)).status).toBe(503);
      await expect(retrieve(nc, { collection: "gate", query: "gates", topn: 1 })).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await ops.close();
    }
  });

  it("reports an unknown collection as not found", async () => {
    const retriever = await start();
    await retriever.caughtUp;
    const err = await retrieve(nc, { collection: "no-such-collection", query: "anything", topn: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionNotFoundError);
    expect((err as Error).message).toBe("collection 'no-such-collection' not found");
  });

  it("refuses a bad request naming the field", async () => {
    const retriever = await start();
    await retriever.caughtUp;
    const err = await retrieve(nc, { collection: "en", query: "tides", topn: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).field).toBe("topn");
    expect((err as Error).message).toContain("topn");
    const badName = await retrieve(nc, { collection: "a.b", query: "tides", topn: 1 }).catch((e: unknown) => e);
    expect(badName).toMatchObject({ code: "BAD_REQUEST", field: "collection" });
    expect(await metricValue(retriever.registry, "kbalign_endpoint_duration_seconds", { endpoint: "retrieve", code: "BAD_REQUEST" })).toBeGreaterThan(0);
  });

  it("replaces a re-published document, before start and while following", async () => {
    const doc = (text: string): KbDocument => ({ id: "doc/1", collection: "replace", title: "One", text });
    await publishDocuments(nc, [doc("zebras graze on the savanna"), { id: "doc/2", collection: "replace", text: "lions hunt at night" }]);
    await publishDocuments(nc, [doc("giraffes eat acacia leaves")]);

    const retriever = await start();
    await retriever.caughtUp;
    const index = retriever.indexes.get("replace")!;
    expect(index.size).toBe(2);
    expect(await retrieve(nc, { collection: "replace", query: "zebras savanna", topn: 5 })).toEqual({ docs: [], kbVersion: 1 });
    expect((await retrieve(nc, { collection: "replace", query: "giraffes", topn: 5 })).docs).toEqual([
      { id: "doc/1", title: "One", text: "giraffes eat acacia leaves", score: expect.any(Number) },
    ]);

    await publishDocuments(nc, [doc("penguins swim in cold water")]);
    const found = await eventually(async () => {
      const { docs } = await retrieve(nc, { collection: "replace", query: "penguins", topn: 5 });
      return docs.length > 0 ? docs : undefined;
    });
    expect(found.map((d) => [d.id, d.text])).toEqual([["doc/1", "penguins swim in cold water"]]);
    expect(await retrieve(nc, { collection: "replace", query: "giraffes acacia", topn: 5 })).toEqual({ docs: [], kbVersion: 1 });
    expect(index.size).toBe(2);
    expect(await metricValue(retriever.registry, "kbalign_index_documents", { collection: "replace" })).toBe(2);
    expect(await metricValue(retriever.registry, "kbalign_kb_documents_applied_total", { operation: "replaced" })).toBe(1);
  });

  it("answers a repeated question from its result cache, and never once the collection has changed", async () => {
    const doc = (text: string): KbDocument => ({ id: "doc/1", collection: "cached", text });
    await publishDocuments(nc, [doc("giraffes eat acacia leaves"), { id: "doc/2", collection: "cached", text: "lions hunt at night" }]);
    const retriever = await start();
    await retriever.caughtUp;
    const ask = { collection: "cached", query: "what do giraffes eat", topn: 5 };

    const first = await retrieve(nc, ask);
    expect(await retrieve(nc, ask)).toEqual(first);
    expect(await metricValue(retriever.registry, "kbalign_retrieve_cache_misses_total")).toBe(1);
    expect(await metricValue(retriever.registry, "kbalign_retrieve_cache_hits_total")).toBe(1);

    const seq = await publishDocuments(nc, [doc("giraffes sleep standing up")]);
    await eventually(() => retriever.lastSequence() >= seq);
    expect((await retrieve(nc, ask)).docs.map((d) => [d.id, d.text])).toEqual([["doc/1", "giraffes sleep standing up"]]);
    expect(await metricValue(retriever.registry, "kbalign_retrieve_cache_hits_total")).toBe(1);
  });

  it("converges in a replica started later, and finds documents published after start", async () => {
    const docs = inCollection("converge", englishCorpus);
    await publishDocuments(nc, docs.slice(0, 3));
    const first = await start();
    await first.caughtUp;
    await publishDocuments(nc, docs.slice(3));
    await eventually(() => first.indexes.get("converge")!.size === docs.length);

    const nc2 = await connectNats({ url: server.url, name: "retriever-test-2" });
    connections.push(nc2);
    const second = await start(nc2);
    await second.caughtUp;
    const queries = ["tides moon", "bread yeast", "compass north", "rainbow sunlight", "honey bees dance", "volcano magma lava"];
    for (const query of queries) {
      const a = first.indexes.get("converge")!.search(query, 5);
      expect(a.length).toBeGreaterThan(0);
      expect(second.indexes.get("converge")!.search(query, 5)).toEqual(a);
    }

    await publishDocuments(nc, [{ id: "late", collection: "converge", title: "Late", text: "A platypus lays eggs." }]);
    for (const replica of [first, second]) {
      await eventually(() => replica.indexes.get("converge")!.search("platypus eggs", 1)[0]?.id === "late");
    }
    // Both replicas serve the queue group now; whichever answers, the new document is there.
    for (let i = 0; i < 4; i++) {
      expect((await retrieve(nc, { collection: "converge", query: "platypus", topn: 1 })).docs[0]?.id).toBe("late");
    }
  });
});
