// The KB stream purged, or deleted and recreated, under running retrievers: they rebuild and converge on its new content.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { jetstreamManager } from "@nats-io/jetstream";
import { KB_STREAM, kbDocumentSubject } from "@kbalign/contracts";
import { connectNats, encodeJson, ensureKbStream, type NatsConnection } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { jetstream } from "@nats-io/jetstream";
import { captureLog, eventually, metricValue, publishDocuments } from "../test/fixtures/kb.js";
import { loadConfig } from "./config.js";
import { startRetriever, type RetrieverHandle } from "./start-retriever.js";

const config = loadConfig({ KBALIGN_KB_PULL_EXPIRES_MS: "2000", KBALIGN_KB_LAG_CHECK_MS: "100" });
const ids = (retriever: RetrieverHandle, collection: string): string[] =>
  (retriever.indexes.get(collection)?.search("otters", 50) ?? []).map((d) => d.id).sort();

describe("retrievers under a stream that changes beneath them", () => {
  let server: TestNatsServer;
  let admin: NatsConnection;
  const connections: NatsConnection[] = [];
  const replicas: { retriever: RetrieverHandle; registry: Registry }[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    admin = await connectNats({ url: server.url, name: "rebuild-admin" });
    await publishDocuments(admin, [
      { id: "a", collection: "conv", text: "otters float on their backs" },
      { id: "b", collection: "conv", text: "otters hold hands while sleeping" },
    ]);
    for (let i = 0; i < 2; i++) {
      const nc = await connectNats({ url: server.url, name: `rebuild-replica-${i}` });
      connections.push(nc);
      const registry = new Registry();
      const retriever = await startRetriever({ nc, config, log: captureLog("silent").log, registry });
      await retriever.caughtUp;
      replicas.push({ retriever, registry });
    }
  });
  afterAll(async () => {
    for (const { retriever } of replicas) await retriever.stop();
    for (const nc of connections) await nc.close();
    await admin?.close();
    await server?.stop();
  });

  it("a purge: every replica drops what the stream lost and keeps what comes after", async () => {
    for (const { retriever } of replicas) expect(ids(retriever, "conv")).toEqual(["a", "b"]);
    const jsm = await jetstreamManager(admin);
    await jsm.streams.purge(KB_STREAM);
    await publishDocuments(admin, [{ id: "c", collection: "conv", text: "otters use stones as tools" }]);
    for (const { retriever, registry } of replicas) {
      await eventually(() => ids(retriever, "conv").join() === "c");
      expect(await metricValue(registry, "kbalign_kb_rebuilds_total", { reason: "purged" })).toBeGreaterThanOrEqual(1);
      await eventually(() => retriever.ready());
    }
  });

  it("a stream deleted and recreated: every replica reads the new stream from its first message", async () => {
    const jsm = await jetstreamManager(admin);
    await jsm.streams.delete(KB_STREAM);
    await ensureKbStream(admin);
    // Fewer messages than the old stream had: a follower resuming at its old sequence would skip them.
    await jetstream(admin).publish(kbDocumentSubject("conv", "d"), encodeJson({ id: "d", collection: "conv", text: "otters groom their fur" }));
    for (const { retriever, registry } of replicas) {
      await eventually(() => ids(retriever, "conv").join() === "d");
      expect(await metricValue(registry, "kbalign_kb_rebuilds_total")).toBeGreaterThanOrEqual(2);
      await eventually(() => retriever.ready());
    }
  });
});
