// Queries whose documents and answers exceed a small max_payload (64 KiB), on a real nats-server:
// every query still ends with exactly one terminal event, answers still come, nothing hangs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isTerminal, type Document, type ErrorEvent, type StageEvent } from "@kbalign/contracts";
import { bodyBudget, TRUNCATION_MARKER, type NatsConnection } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { ask, connect, metricValue, startFakeGenerator, startFakeRetriever, startTestOrchestrator, states, stream, type TestOrchestrator } from "./harness.js";

const MAX_PAYLOAD = 64 * 1024;
const query = { query: "How do bees communicate?", collection: "docs", topn: 2 };

/** Two documents whose reply just fits max_payload, but not the orchestrator's budget (max_payload less room for headers). */
const bigDocs: Document[] = ["a", "b"].map((id, i) => ({ id: `big-${id}`, score: 2 - i, title: `Big ${id}`, text: `${id} `.repeat(15_500) }));

describe("payload budget: a nats-server with max_payload 64 KiB", () => {
  let server: TestNatsServer;
  let client: NatsConnection;
  let fakes: NatsConnection;
  let orchestratorNc: NatsConnection;
  const running: Array<{ stop(): Promise<unknown> }> = [];

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false, maxPayloadBytes: MAX_PAYLOAD });
    [client, fakes, orchestratorNc] = await Promise.all([connect(server.url), connect(server.url), connect(server.url)]);
  });
  afterEach(async () => {
    for (const thing of running.splice(0).reverse()) await thing.stop();
  });
  afterAll(async () => {
    await Promise.all([client?.close(), fakes?.close(), orchestratorNc?.close()]);
    await server?.stop();
  });
  const started = async <T extends { stop(): Promise<unknown> }>(thing: Promise<T>): Promise<T> => {
    const t = await thing;
    running.push(t);
    return t;
  };
  const orchestrator = (): Promise<TestOrchestrator> => started(startTestOrchestrator(orchestratorNc, server.url));

  it("answers with recall texts, first answer and generate documents cut to fit, every docs entry kept", async () => {
    expect(orchestratorNc.info?.max_payload).toBe(MAX_PAYLOAD);
    await started(startFakeRetriever(fakes, async () => bigDocs));
    // A first answer of 2 × 12 000 Chinese characters: 72 KB as UTF-8, each chunk under max_payload.
    const generator = await started(
      startFakeGenerator(fakes, async (req, send) => (req.purpose === "first_answer" ? stream(send, "答".repeat(12_000), "案".repeat(12_000)) : stream(send, "Bees ", "dance."))),
    );
    const orch = await orchestrator();

    const startedAt = Date.now();
    const events = await ask(client, { ...query, requestId: "big-1" });
    expect(Date.now() - startedAt).toBeLessThan(4_000);

    expect(states(events)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "data", "done"]);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(events.filter(isTerminal)).toHaveLength(1);
    for (const recall of [events[0], events[2]] as StageEvent[]) {
      expect(recall).toMatchObject({ docs: [{ id: "big-a", title: "Big a" }, { id: "big-b", title: "Big b" }] });
      const texts = recall.value as string[];
      expect(texts).toHaveLength(2);
      expect(texts.every((t) => t.endsWith(TRUNCATION_MARKER))).toBe(true);
    }
    expect((events[1]!.value as string).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect((events[1]!.value as string).length).toBeGreaterThan(10_000);
    expect(events.filter((e) => e.state === "data").map((e) => e.value).join("")).toBe("Bees dance.");
    expect(events[5]).toMatchObject({ state: "done", degraded: [] });

    // Both generate requests carried both documents, their texts cut to fit.
    expect(generator.requests).toHaveLength(2);
    for (const req of generator.requests) {
      expect(req.documents.map((d) => d.id)).toEqual(["big-a", "big-b"]);
      expect(req.documents.every((d) => d.text.endsWith(TRUNCATION_MARKER))).toBe(true);
      expect(JSON.stringify(req).length).toBeLessThanOrEqual(bodyBudget(orchestratorNc));
    }
    const cuts = (message: string, fit: string) => metricValue(orch.registry, "kbalign_payload_cuts_total", { message, fit });
    expect(await cuts("recall", "truncated")).toBe(1);
    expect(await cuts("first_answer", "truncated")).toBe(1);
    expect(await cuts("query_expansion_recall", "truncated")).toBe(1);
    expect(await cuts("generate_request", "truncated")).toBe(2);
    expect(await cuts("data", "truncated")).toBe(0);
  });

  it("ends with one small INTERNAL error, at once, when an event cannot fit even with its texts cut", async () => {
    // Titles are not cut (they are what the client cites): 2 × 31 000 characters of titles.
    const hugeTitles: Document[] = ["a", "b"].map((id) => ({ id, score: 1, title: id.repeat(31_000), text: "bees dance" }));
    await started(startFakeRetriever(fakes, async () => hugeTitles));
    const generator = await started(startFakeGenerator(fakes, async (_req, send) => stream(send, "unused")));
    const orch = await orchestrator();

    const events = await ask(client, { ...query, requestId: "big-2" });
    expect(events).toHaveLength(1);
    const error = events[0] as ErrorEvent;
    expect(error).toMatchObject({ requestId: "big-2", seq: 0, state: "error", code: "INTERNAL", retryable: false });
    expect(error.value).toContain("max_payload");
    // Nothing follows the terminal event, and the work stopped.
    await new Promise((r) => setTimeout(r, 300));
    expect(generator.requests).toHaveLength(0);
    expect(await metricValue(orch.registry, "kbalign_requests_total", { code: "INTERNAL" })).toBe(1);
    expect(await metricValue(orch.registry, "kbalign_payload_cuts_total", { message: "recall", fit: "replaced" })).toBe(1);
    expect(orch.inFlight()).toBe(0);
  });
});
