// The KB follower against a real nats-server: bad data in the stream, an empty stream, a server restart.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { kbDocumentSubject, UnavailableError } from "@kbalign/contracts";
import { connectNats, type NatsConnection } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { captureLog, eventually, metricValue, publishDocuments, publishRaw, retrieve } from "../test/fixtures/kb.js";
import { IndexRegistry } from "./index-registry.js";
import { startKbFollower, type KbFollower } from "./kb-follower.js";
import { createRetrieverMetrics } from "./metrics.js";
import { loadConfig } from "./config.js";
import { startRetriever, type RetrieverHandle } from "./start-retriever.js";

const config = loadConfig({ KBALIGN_KB_PULL_EXPIRES_MS: "2000" });

describe("KB follower over a real nats-server", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  const cleanups: Array<() => Promise<void>> = [];

  function follow(registry = new Registry(), metrics = createRetrieverMetrics(registry)) {
    const { log, entries } = captureLog();
    const indexes = new IndexRegistry();
    const follower = startKbFollower({ nc, indexes, metrics, log, pullExpiresMs: 2_000, lagCheckMs: 50 });
    cleanups.push(async () => (await follower).stop());
    return { follower, indexes, registry, entries };
  }

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "kb-follower-test" });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("is caught up at once on an empty stream, then follows new documents", async () => {
    const { follower: started, indexes, registry } = follow();
    const follower = await started;
    await follower.caughtUp;
    expect(follower.isCaughtUp()).toBe(true);
    expect(indexes.totalDocuments).toBe(0);
    expect(await metricValue(registry, "kbalign_index_caught_up")).toBe(1);

    const seq = await publishDocuments(nc, [{ id: "first", collection: "fresh", text: "the very first document" }]);
    await eventually(() => indexes.get("fresh")?.size === 1);
    expect(follower.lastSequence()).toBe(seq);
    expect(await metricValue(registry, "kbalign_kb_last_sequence")).toBe(seq);
  });

  it("skips and counts invalid documents, logs them without their text, and indexes the next valid one", async () => {
    await publishRaw(nc, kbDocumentSubject("bad", "x1"), "{not json: secret-one");
    await publishRaw(nc, kbDocumentSubject("bad", "x2"), JSON.stringify({ id: "x2", collection: "bad", text: "   ", title: "secret-two" }));
    await publishRaw(nc, kbDocumentSubject("elsewhere", "x3"), JSON.stringify({ id: "x3", collection: "bad", text: "secret-three" }));
    const validSeq = await publishDocuments(nc, [{ id: "ok1", collection: "bad", text: "a valid document about otters" }]);

    const { follower: started, indexes, registry, entries } = follow();
    const follower = await started;
    await follower.caughtUp;
    expect(follower.lastSequence()).toBeGreaterThanOrEqual(validSeq);
    expect(indexes.get("bad")!.search("otters", 5).map((d) => d.id)).toEqual(["ok1"]);
    expect(indexes.get("bad")!.size).toBe(1);
    expect(await metricValue(registry, "kbalign_kb_invalid_documents_total")).toBe(3);
    expect(await metricValue(registry, "kbalign_kb_invalid_documents_total", { reason: "not_json" })).toBe(1);
    expect(await metricValue(registry, "kbalign_kb_invalid_documents_total", { reason: "schema" })).toBe(1);
    expect(await metricValue(registry, "kbalign_kb_invalid_documents_total", { reason: "subject_mismatch" })).toBe(1);

    const skipped = entries.filter((e) => e.msg === "skipping invalid knowledge-base document");
    expect(skipped).toHaveLength(3);
    expect(skipped[1]).toMatchObject({ level: 40, subject: kbDocumentSubject("bad", "x2"), reason: "schema", issue: "text: must not be empty" });
    expect(skipped.every((e) => typeof e.seq === "number")).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/secret-/);

    // While following too: an invalid message does not stop the next valid one.
    await publishRaw(nc, kbDocumentSubject("bad", "x4"), "[]");
    await publishDocuments(nc, [{ id: "ok2", collection: "bad", text: "beavers build dams" }]);
    await eventually(() => indexes.get("bad")!.search("beavers", 1)[0]?.id === "ok2");
    expect(await metricValue(registry, "kbalign_kb_invalid_documents_total")).toBe(4);
  });

  it("reports its lag behind the stream while catching up, and 0 once caught up", async () => {
    await publishDocuments(nc, Array.from({ length: 100 }, (_, i) => ({ id: `l${i}`, collection: "lag", text: `lagging text ${i}` })));
    const registry = new Registry();
    const metrics = createRetrieverMetrics(registry);
    const seen: number[] = [];
    const set = metrics.kbLag.set.bind(metrics.kbLag) as (value: number) => void;
    metrics.kbLag.set = ((value: number) => (seen.push(value), set(value))) as typeof metrics.kbLag.set;
    const follower = await follow(registry, metrics).follower;
    await follower.caughtUp;
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(await metricValue(registry, "kbalign_kb_lag_messages")).toBe(0);
    // The periodic check (every 50 ms here) reads the consumer's pending count: still 0, no new messages.
    const checks = seen.length;
    await eventually(() => seen.length > checks + 1);
    expect(await metricValue(registry, "kbalign_kb_lag_messages")).toBe(0);
  });

  it("rejects caughtUp when stopped before catching up", async () => {
    await publishDocuments(nc, Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, collection: "stopped", text: `text ${i}` })));
    const { follower: started } = follow();
    const follower = await started;
    // Stopped before any message could arrive (each needs a round trip to the server).
    await follower.stop();
    await expect(follower.caughtUp).rejects.toBeInstanceOf(UnavailableError);
    expect(follower.isCaughtUp()).toBe(false);
  });

  it("keeps following across a nats-server restart", { timeout: 60_000 }, async () => {
    await publishDocuments(nc, [{ id: "before", collection: "restart", text: "written before the restart about herons" }]);
    const registry = new Registry();
    const retriever: RetrieverHandle = await startRetriever({ nc, config, log: captureLog("silent").log, registry });
    cleanups.push(() => retriever.stop());
    await retriever.caughtUp;
    expect(retriever.indexes.get("restart")!.size).toBe(1);

    await server.restart();
    // JetStream needs a moment after the restart: retry the publish until the stream takes it.
    await eventually(() => publishDocuments(nc, [{ id: "after", collection: "restart", text: "written after the restart about storks" }]), 20_000);
    await eventually(() => retriever.indexes.get("restart")!.search("storks", 1)[0]?.id === "after", 30_000);
    expect(retriever.indexes.get("restart")!.size).toBe(2);
    const { docs } = await eventually(() => retrieve(nc, { collection: "restart", query: "storks herons", topn: 5 }), 10_000);
    expect(docs.map((d) => d.id).sort()).toEqual(["after", "before"]);
    expect(retriever.ready()).toBe(true);
    // The ordered consumer recreated itself (its in-memory consumer died with the server); the
    // follower's own reopen path was not needed.
    expect(await metricValue(registry, "kbalign_kb_consumer_resets_total")).toBeGreaterThanOrEqual(1);
    expect(await metricValue(registry, "kbalign_kb_follower_restarts_total")).toBe(0);
  });
});
