import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { GenerationError, type Document } from "@kbalign/contracts";
import { KBAlign, type GeneratorPort, type RetrieverPort } from "@kbalign/pipeline";
import { createOtelStageTracer, recordDegradation } from "./stage-tracer.js";

const tracer = trace.getTracer("test");
const docs: Document[] = [{ id: "d1", text: "Bees dance to tell where flowers are.", score: 1 }];
const question = "How do bees communicate?";

// Ports that open a span the way the NATS clients open their `send` spans: under the active context.
const retriever: RetrieverPort = {
  retrieve: async () => tracer.startActiveSpan("send retrieve", (span) => (span.end(), docs)),
};
const generator = (failFirst: boolean): GeneratorPort => ({
  async *generate(req) {
    const span = tracer.startSpan("send generate");
    span.end();
    if (failFirst && req.purpose === "first_answer") throw new GenerationError("model refused");
    yield "Bees ";
    yield "dance.";
  },
});

describe("createOtelStageTracer", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());

  const runUnderQuerySpan = async (gen: GeneratorPort, recordContent = false) => {
    const observer = { onDegraded: ({ degradation }: { degradation: Parameters<typeof recordDegradation>[0] }) => recordDegradation(degradation) };
    const pipeline = new KBAlign(retriever, gen, { retryBaseDelayMs: 1, maxRetries: 0 }, observer, createOtelStageTracer({ recordContent }));
    const root = tracer.startSpan("process kbalign.v1.query");
    await context.with(trace.setSpan(context.active(), root), async () => {
      for await (const _ of pipeline.run({ query: question, collection: "c", topn: 1, requestId: "r-1" })) void _;
    });
    root.end();
    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentName = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? "")?.name;
    return { spans, parentName, root: spans.find((s) => s.name === "process kbalign.v1.query") };
  };

  it("hangs a span per stage under the query span, and each port's send span under its stage", async () => {
    const { spans, parentName } = await runUnderQuerySpan(generator(false));
    const tree = spans.map((s) => [s.name, parentName(s)]).filter(([name]) => name !== "process kbalign.v1.query");
    expect(tree).toEqual(
      expect.arrayContaining([
        ["recall", "process kbalign.v1.query"],
        ["first_answer", "process kbalign.v1.query"],
        ["query_expansion_recall", "process kbalign.v1.query"],
        ["final_answer", "process kbalign.v1.query"],
        ["send retrieve", "recall"],
        ["send generate", "first_answer"],
        ["send retrieve", "query_expansion_recall"],
        ["send generate", "final_answer"],
      ]),
    );
    expect(tree).toHaveLength(8);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const recall = spans.find((s) => s.name === "recall");
    expect(recall?.attributes).toMatchObject({ "kbalign.stage": "recall", "kbalign.request.id": "r-1", "kbalign.documents.count": 1 });
    expect(spans.find((s) => s.name === "final_answer")?.attributes).toMatchObject({ "kbalign.answer.chars": "Bees dance.".length });
  });

  it("puts the collection version on the recall spans and the config revision on every stage span", async () => {
    const versioned: RetrieverPort = { retrieve: async () => ({ docs, kbVersion: 4 }) };
    const pipeline = new KBAlign(versioned, generator(false), { retryBaseDelayMs: 1, maxRetries: 0 }, {}, createOtelStageTracer());
    const config = pipeline.config;
    for await (const _ of pipeline.run({ query: question, collection: "c", topn: 1 }, { config: { config, revision: 9 } })) void _;
    const spans = exporter.getFinishedSpans();
    for (const name of ["recall", "query_expansion_recall"]) {
      expect(spans.find((s) => s.name === name)?.attributes).toMatchObject({ "kbalign.kb.version": 4, "kbalign.config.revision": 9 });
    }
    expect(spans.find((s) => s.name === "final_answer")?.attributes).toMatchObject({ "kbalign.config.revision": 9 });
  });

  it("marks a failed stage ERROR with error.type, records the degradation on the query span, and keeps user text out", async () => {
    const { spans, root } = await runUnderQuerySpan(generator(true));
    const first = spans.find((s) => s.name === "first_answer");
    expect(first?.status.code).toBe(SpanStatusCode.ERROR);
    expect(first?.attributes["error.type"]).toBe("GENERATION_FAILED");
    expect(root?.events.map((e) => [e.name, e.attributes?.["kbalign.stage"], e.attributes?.["error.type"]])).toEqual([
      ["kbalign.degraded", "first_answer", "GENERATION_FAILED"],
    ]);
    const everything = JSON.stringify(spans.map((s) => [s.attributes, s.events, s.status]));
    expect(everything).not.toContain(question);
    expect(everything).not.toContain("Bees");
  });

  it("records the question and answers only when asked to (KBALIGN_TRACE_CONTENT)", async () => {
    const { spans } = await runUnderQuerySpan(generator(false), true);
    expect(spans.find((s) => s.name === "recall")?.attributes["kbalign.query"]).toBe(question);
    expect(spans.find((s) => s.name === "final_answer")?.attributes).toMatchObject({ "kbalign.query": question, "kbalign.answer": "Bees dance." });
  });
});
