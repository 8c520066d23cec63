// The index budget against a real nats-server: a flood of documents past the limits is refused,
// counted and logged, while what fits is indexed and served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { connectNats, type NatsConnection } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { captureLog, eventually, metricValue, publishDocuments } from "../test/fixtures/kb.js";
import { IndexBudget } from "./index-budget.js";
import { IndexRegistry } from "./index-registry.js";
import { startKbFollower } from "./kb-follower.js";
import { createRetrieverMetrics } from "./metrics.js";

describe("the index budget over a real KB stream", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "index-budget-test" });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("indexes documents up to the limits, then refuses the rest with a metric and a log line", async () => {
    const text = (i: number) => `document number ${i} about otters and rivers`.padEnd(100, ".");
    // A collection may hold 12 documents: "small" sends 15. Past those 12 (of 10 bytes), 10 documents
    // of 100 bytes fit the byte limit; "big" sends 30.
    const flood = Array.from({ length: 30 }, (_, i) => ({ id: `big-${i}`, collection: "big", text: text(i) }));
    const small = Array.from({ length: 15 }, (_, i) => ({ id: `small-${i}`, collection: "small", text: `small ${i}`.padEnd(10, ".") }));
    const lastSeq = await publishDocuments(nc, [...small, ...flood]);

    const registry = new Registry();
    const metrics = createRetrieverMetrics(registry);
    const { log, entries } = captureLog();
    const indexes = new IndexRegistry();
    const budget = new IndexBudget({ maxTextBytes: 12 * 10 + 10 * 100 + 50, maxDocumentsPerCollection: 12 });
    const follower = await startKbFollower({ nc, indexes, metrics, log, budget, pullExpiresMs: 2_000, lagCheckMs: 1_000 });
    try {
      await follower.caughtUp;
      await eventually(() => follower.lastSequence() === lastSeq);
      expect(indexes.get("small")?.size).toBe(12);
      expect(indexes.get("big")?.size).toBe(10);
      expect(await metricValue(registry, "kbalign_kb_documents_refused_total", { reason: "collection_documents" })).toBe(3);
      expect(await metricValue(registry, "kbalign_kb_documents_refused_total", { reason: "index_bytes" })).toBe(20);
      expect(await metricValue(registry, "kbalign_index_text_bytes")).toBe(budget.textBytes);
      expect(budget.textBytes).toBeLessThanOrEqual(budget.limits.maxTextBytes);
      // One line per reason for the first refusal, not one per document.
      const warnings = entries.filter((e) => e.msg === "index budget reached: knowledge-base document not indexed");
      expect(warnings.map((w) => w.reason).sort()).toEqual(["collection_documents", "index_bytes"]);
      expect(JSON.stringify(warnings)).not.toContain("otters");
    } finally {
      await follower.stop();
    }
  });
});
