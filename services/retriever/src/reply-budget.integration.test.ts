// The retriever on a real nats-server whose max_payload (64 KiB) is smaller than its top documents together.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import type { KbDocument } from "@kbalign/contracts";
import { bodyBudget, connectNats, encodeJson, type NatsConnection } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { captureLog, metricValue, publishDocuments, retrieve } from "../test/fixtures/kb.js";
import { loadConfig } from "./config.js";
import { startRetriever, type RetrieverHandle } from "./start-retriever.js";

const MAX_PAYLOAD = 64 * 1024;

describe("retriever replies within a small max_payload", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let retriever: RetrieverHandle;
  const captured = captureLog("debug");
  const registry = new Registry();

  beforeAll(async () => {
    server = await startNatsServer({ maxPayloadBytes: MAX_PAYLOAD });
    nc = await connectNats({ url: server.url, name: "retriever-budget-test" });
    // Five documents of ~28 KB each, every one under max_payload, all five together far over it;
    // "bees" appears more often in the lower ids, so they rank best.
    const docs: KbDocument[] = Array.from({ length: 5 }, (_, i) => ({
      id: `big-${i}`,
      collection: "big",
      title: `Big ${i}`,
      text: `${"bees ".repeat(50 - i * 5)}${"filler words about nothing in particular ".repeat(650)}`,
    }));
    await publishDocuments(nc, docs);
    retriever = await startRetriever({ nc, config: loadConfig({}), log: captured.log, registry });
    await retriever.caughtUp;
  });
  afterAll(async () => {
    await retriever?.stop();
    await nc?.close();
    await server?.stop();
  });

  it("answers at once with the best whole documents that fit, and logs the cut", async () => {
    expect(nc.info?.max_payload).toBe(MAX_PAYLOAD);
    const started = Date.now();
    const reply = await retrieve(nc, { collection: "big", query: "bees", topn: 5 });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(reply.docs.map((d) => d.id)).toEqual(["big-0", "big-1"]);
    expect(reply.docs.every((d) => !d.text.includes("truncated"))).toBe(true);
    expect(encodeJson(reply).length).toBeLessThanOrEqual(bodyBudget(nc));
    expect(await metricValue(registry, "kbalign_payload_cuts_total", { message: "retrieve_reply", fit: "dropped" })).toBe(1);
    expect(captured.entries).toContainEqual(expect.objectContaining({ msg: "retrieve reply cut to fit max_payload", found: 5, returned: 2 }));
  });
});
