import { describe, expect, it } from "vitest";
import { CollectionNotFoundError, GenerationError, UnavailableError, type DoneEvent, type ErrorEvent } from "@kbalign/contracts";
import type { NatsConnection } from "@kbalign/nats";
import {
  answering,
  ask,
  docsA,
  docsB,
  metricValue,
  startFakeGenerator,
  startFakeRetriever,
  startTestOrchestrator,
  states,
  twoRecalls,
  type TestOrchestrator,
  useTestBed,
} from "./harness.js";

describe("kbalign.v1.query over a real nats-server", () => {
  const bed = useTestBed();
  const { started, orchestrator } = bed;
  const query = { query: "How do bees communicate?", collection: "docs", topn: 3 };

  it("streams recall, first_answer, query_expansion_recall, data…, done in order with seq 0..n", async () => {
    const retriever = await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(startFakeGenerator(bed.fakes, answering));
    await orchestrator();

    const events = await ask(bed.client, { ...query, requestId: "happy-1" });

    expect(states(events)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "data", "done"]);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(events.every((e) => e.requestId === "happy-1")).toBe(true);
    expect(events[0]).toMatchObject({ value: docsA.map((d) => d.text), docs: [{ id: "en-bees", score: 4.2, title: "Honey bees" }, { id: "en-tides" }] });
    expect(events[1]).toMatchObject({ value: "draft answer." });
    expect(events[2]).toMatchObject({ value: docsB.map((d) => d.text), docs: [{ id: "en-dance" }] });
    expect(events.filter((e) => e.state === "data").map((e) => e.value).join("")).toBe("Bees dance.");
    expect((events[5] as DoneEvent).degraded).toEqual([]);

    expect(retriever.calls).toEqual([
      { collection: "docs", topn: 3, query: query.query },
      { collection: "docs", topn: 3, query: query.query, expansion: { text: "draft answer.", weight: 0.3, maxTerms: 10, fusion: "rrf" } },
    ]);
    expect(generator.requests.map((r) => r.purpose)).toEqual(["first_answer", "final_answer"]);
    expect(generator.requests[1]?.documents).toEqual(docsB);
    expect(new Set(generator.requests.map((r) => r.streamId)).size).toBe(2);
    expect(generator.requests[0]!.deadline).toBeGreaterThan(Date.now());
  });

  it.each([
    ["malformed JSON", "{not json", undefined, "request body is not valid JSON"],
    ["a missing query", { collection: "docs" }, "query", "'query'"],
    ["topn 99", { ...query, topn: 99 }, "topn", "'topn'"],
    ["a collection with a dot", { ...query, collection: "a.b" }, "collection", "'collection'"],
  ])("answers %s with one BAD_REQUEST error event naming the field", async (_, body, field, text) => {
    await orchestrator();
    const events = await ask(bed.client, body);
    expect(events).toHaveLength(1);
    const event = events[0] as ErrorEvent;
    expect(event).toMatchObject({ seq: 0, state: "error", code: "BAD_REQUEST", retryable: false });
    expect(event.field).toBe(field);
    expect(event.value).toContain(text);
    expect(event.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps the client's requestId on a BAD_REQUEST when it could be read", async () => {
    await orchestrator();
    const [event] = await ask(bed.client, { ...query, topn: 0, requestId: "mine-7" });
    expect(event).toMatchObject({ requestId: "mine-7", code: "BAD_REQUEST", field: "topn" });
  });

  it("answers a body over KBALIGN_MAX_REQUEST_BYTES with BAD_REQUEST", async () => {
    await orchestrator({ KBALIGN_MAX_REQUEST_BYTES: "2048" });
    const [event] = await ask(bed.client, { ...query, query: "bees ".repeat(600) });
    expect(event).toMatchObject({ state: "error", code: "BAD_REQUEST" });
    expect(event?.value).toContain("limit of 2048");
  });

  it("passes a missing collection through as COLLECTION_NOT_FOUND", async () => {
    await started(
      startFakeRetriever(bed.fakes, async (req) => {
        throw new CollectionNotFoundError(req.collection);
      }),
    );
    await started(startFakeGenerator(bed.fakes, answering));
    await orchestrator();
    const events = await ask(bed.client, { ...query, collection: "missing" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ state: "error", code: "COLLECTION_NOT_FOUND", retryable: false, value: "collection 'missing' not found" });
  });

  it("answers RETRIEVAL_FAILED, retryable, when no retriever is running", async () => {
    await started(startFakeGenerator(bed.fakes, answering));
    const o = await orchestrator({ KBALIGN_MAX_RETRIES: "1" });
    const events = await ask(bed.client, query);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ state: "error", code: "RETRIEVAL_FAILED", retryable: true });
    // The cause ("no responders for kbalign.v1.retrieve") is internal: the client reads what failed, in its terms.
    expect(events[0]?.value).toBe("searching the documents failed");
    expect(await metricValue(o.registry, "kbalign_requests_total", { code: "RETRIEVAL_FAILED" })).toBe(1);
    expect(await metricValue(o.registry, "kbalign_retries_total", { target: "retrieve" })).toBe(1);
  });

  it("retries a retriever that is unavailable once, then answers", async () => {
    const retriever = await started(
      startFakeRetriever(bed.fakes, async (req, call) => {
        if (call === 0) throw new UnavailableError("index loading");
        return twoRecalls(req);
      }),
    );
    await started(startFakeGenerator(bed.fakes, answering));
    const o = await orchestrator();
    const events = await ask(bed.client, query);
    expect(events.at(-1)).toMatchObject({ state: "done", degraded: [] });
    expect(retriever.calls).toHaveLength(3);
    expect(await metricValue(o.registry, "kbalign_retries_total", { target: "retrieve" })).toBe(1);
  });

  it("degrades when the generator fails: no expansion, extractive final answer, listed in done.degraded", async () => {
    const retriever = await started(startFakeRetriever(bed.fakes, twoRecalls));
    await started(
      startFakeGenerator(bed.fakes, async () => {
        throw new GenerationError("LLM endpoint returned 500");
      }),
    );
    const o = await orchestrator();
    const events = await ask(bed.client, query);

    expect(states(events)[0]).toBe("recall");
    expect(states(events).at(-1)).toBe("done");
    expect(states(events)).not.toContain("first_answer");
    expect(retriever.calls).toHaveLength(1);
    const answer = events.filter((e) => e.state === "data").map((e) => e.value).join("");
    expect(answer).toContain("waggle dance");
    expect((events.at(-1) as DoneEvent).degraded).toEqual([
      { stage: "first_answer", code: "GENERATION_FAILED", fallback: "skipped query expansion", message: "the language model could not produce an answer" },
      { stage: "final_answer", code: "GENERATION_FAILED", fallback: "extractive answer from the recalled documents", message: "the language model could not produce an answer" },
    ]);
    expect(await metricValue(o.registry, "kbalign_degradations_total", { stage: "final_answer", code: "GENERATION_FAILED" })).toBe(1);
    expect(await metricValue(o.registry, "kbalign_requests_total", { code: "OK" })).toBe(1);
  });

  it("answers from the first recall when the second retrieval fails", async () => {
    await started(
      startFakeRetriever(bed.fakes, async (req) => {
        if (req.expansion !== undefined) throw new UnavailableError("replica gone");
        return docsA;
      }),
    );
    const generator = await started(startFakeGenerator(bed.fakes, answering));
    await orchestrator({ KBALIGN_MAX_RETRIES: "0" });
    const events = await ask(bed.client, query);
    expect(states(events)).toEqual(["recall", "first_answer", "data", "data", "done"]);
    expect((events.at(-1) as DoneEvent).degraded).toMatchObject([{ stage: "query_expansion_recall", code: "UNAVAILABLE" }]);
    expect(generator.requests[1]?.documents).toEqual(docsA);
  });

  it("drops a query that has no reply subject", async () => {
    const retriever = await started(startFakeRetriever(bed.fakes, twoRecalls));
    const o = await orchestrator();
    bed.client.publish("kbalign.v1.query", new TextEncoder().encode(JSON.stringify(query)));
    await bed.client.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(retriever.calls).toHaveLength(0);
    expect(await metricValue(o.registry, "kbalign_requests_total", { code: "BAD_REQUEST" })).toBe(1);
  });
});
