// The generator in-process on a real nats-server, called over NATS as the orchestrator calls it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import {
  BadRequestError,
  CancelledError,
  GenerateReply,
  Subjects,
  instanceSubject,
  TimeoutError,
  UnavailableError,
  type GenerateRequestInput,
} from "@kbalign/contracts";
import { connectNats, encodeJson, requestStream, type NatsConnection } from "@kbalign/nats";
import { createLogger } from "@kbalign/telemetry";
import { chineseCorpus, englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { detectLanguage } from "@kbalign/text";
import { loadConfig, startGenerator, type GeneratorHandle } from "../../src/index.js";
import { sleep, startFakeOpenAi, streamText, type FakeOpenAiServer } from "../fixtures/openai-server.js";

const log = createLogger({ service: "test", level: "silent" });
const toDocs = (corpus: typeof englishCorpus) => corpus.map((d, i) => ({ id: d.id, score: 10 - i, title: d.title, text: d.text }));

let counter = 0;
const generateRequest = (overrides: Partial<GenerateRequestInput> = {}): GenerateRequestInput => ({
  streamId: `stream-${++counter}`,
  purpose: "final_answer",
  query: "How do honey bees show where flowers are?",
  documents: toDocs(englishCorpus),
  deadline: Date.now() + 10_000,
  ...overrides,
});

function generate(nc: NatsConnection, body: unknown, timeoutMs = 10_000) {
  return requestStream(nc, Subjects.generate, body, {
    message: GenerateReply,
    isLast: (m) => m.type === "end",
    timeoutMs,
    idleTimeoutMs: timeoutMs,
  });
}

/** Every message of a stream, and the error that ended it, if any. */
async function drain(stream: AsyncGenerator<GenerateReply>): Promise<{ messages: GenerateReply[]; error?: unknown }> {
  const messages: GenerateReply[] = [];
  try {
    for await (const m of stream) messages.push(m);
    return { messages };
  } catch (error) {
    return { messages, error };
  }
}

const answerOf = (messages: GenerateReply[]) => messages.map((m) => (m.type === "chunk" ? m.text : "")).join("");

describe("generator with the extractive backend", () => {
  let server: TestNatsServer;
  let serviceNc: NatsConnection;
  let nc: NatsConnection;
  let generator: GeneratorHandle;
  const registry = new Registry();

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    serviceNc = await connectNats({ url: server.url, name: "generator" });
    nc = await connectNats({ url: server.url, name: "client" });
    generator = await startGenerator({ nc: serviceNc, config: loadConfig({ NATS_URL: server.url }), log, registry });
  });
  afterAll(async () => {
    await generator?.stop();
    await nc?.close();
    await serviceNc?.close();
    await server?.stop();
  });

  it("is ready and registered as micro service kbalign-generator with a generate endpoint", async () => {
    expect(generator.ready()).toBe(true);
    const msg = await nc.request("$SRV.INFO.kbalign-generator", "", { timeout: 2_000 });
    const info = JSON.parse(msg.string()) as { id: string; name: string; version: string; endpoints: { name: string; subject: string }[] };
    expect(info.name).toBe("kbalign-generator");
    expect(info.version).toBe("0.1.0");
    // The shared subject, and this replica's own (where a retry avoiding another replica is sent).
    expect(info.endpoints).toEqual([
      expect.objectContaining({ name: "generate", subject: Subjects.generate }),
      expect.objectContaining({ name: "generate-instance", subject: instanceSubject(Subjects.generate, info.id) }),
    ]);
  });

  it("streams the answer as chunks then one end, seq counting every message from 0", async () => {
    const { messages, error } = await drain(generate(nc, generateRequest()));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i));
    expect(messages.at(-1)).toEqual({ type: "end", seq: messages.length - 1, finishReason: "stop" });
    expect(messages.slice(0, -1).every((m) => m.type === "chunk")).toBe(true);
    expect(answerOf(messages)).toContain("waggle dance");
  });

  it("answers a Chinese question in Chinese from Chinese documents", async () => {
    const { messages, error } = await drain(generate(nc, generateRequest({ query: "长城是什么时候修建的？", documents: toDocs(chineseCorpus) })));
    expect(error).toBeUndefined();
    const answer = answerOf(messages);
    expect(answer).toContain("长城");
    expect(detectLanguage(answer)).toBe("zh");
  });

  it("answers with no documents by saying so", async () => {
    const { messages } = await drain(generate(nc, generateRequest({ documents: [] })));
    expect(answerOf(messages)).toMatch(/No relevant documents/);
  });

  it("ends a request whose deadline has passed with TIMEOUT", async () => {
    const { messages, error } = await drain(generate(nc, generateRequest({ deadline: Date.now() - 1_000 })));
    expect(messages).toEqual([]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).retryable).toBe(true);
  });

  it("answers a malformed request with BAD_REQUEST naming the field", async () => {
    const bad = await drain(generate(nc, { ...generateRequest(), purpose: "poem" }));
    expect(bad.error).toBeInstanceOf(BadRequestError);
    expect((bad.error as BadRequestError).field).toBe("purpose");
    const missing = await drain(generate(nc, { ...generateRequest(), deadline: undefined }));
    expect((missing.error as BadRequestError).field).toBe("deadline");
  });

  it("counts endpoint outcomes and chunks", async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/kbalign_endpoint_duration_seconds_count\{endpoint="generate",code="OK"\} [1-9]/);
    expect(text).toMatch(/kbalign_endpoint_duration_seconds_count\{endpoint="generate",code="BAD_REQUEST"\} 2/);
    expect(text).toMatch(/kbalign_generate_chunks_total\{backend="extractive",purpose="final_answer"\} [1-9]/);
  });
});

describe("generator with the openai backend", () => {
  let server: TestNatsServer;
  let llm: FakeOpenAiServer;
  let serviceNc: NatsConnection;
  let nc: NatsConnection;
  let generator: GeneratorHandle;
  const registry = new Registry();

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    llm = await startFakeOpenAi();
    serviceNc = await connectNats({ url: server.url, name: "generator" });
    nc = await connectNats({ url: server.url, name: "client" });
    const config = loadConfig({
      NATS_URL: server.url,
      KBALIGN_GENERATOR_BACKEND: "openai",
      KBALIGN_LLM_BASE_URL: llm.baseUrl,
      KBALIGN_LLM_MODEL: "test-model",
      KBALIGN_LLM_API_KEY: "sk-integration",
      KBALIGN_SHUTDOWN_GRACE_MS: "300",
    });
    generator = await startGenerator({ nc: serviceNc, config, log, registry });
  });
  afterAll(async () => {
    await generator?.stop();
    await nc?.close();
    await serviceNc?.close();
    await llm?.close();
    await server?.stop();
  });

  it("streams the LLM's deltas as several chunks, in order, then end", async () => {
    llm.script = streamText(["Bees ", "dance ", "to ", "point ", "the ", "way."], { delayMs: 30 });
    const { messages, error } = await drain(generate(nc, generateRequest()));
    expect(error).toBeUndefined();
    expect(answerOf(messages)).toBe("Bees dance to point the way.");
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i));
    expect(messages.at(-1)).toMatchObject({ type: "end", finishReason: "stop" });
    const sent = llm.requests.at(-1)?.body as { messages: { content: string }[] };
    expect(sent.messages[1]?.content).toContain("[1] Honey bees\n");
  });

  it("stops a slow stream on a cancel message: CANCELLED, and the LLM request is aborted", async () => {
    llm.script = streamText(Array.from({ length: 50 }, (_, i) => `piece ${i} `), { delayMs: 200 });
    const req = generateRequest();
    const stream = generate(nc, req);
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: "chunk", seq: 0 });
    const started = Date.now();
    nc.publish(Subjects.generateCancel, encodeJson({ streamId: req.streamId }));
    const rest = await drain(stream);
    expect(rest.error).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5_000);
    const httpRequest = llm.requests.at(-1);
    await httpRequest?.socketClosed;
    expect(httpRequest?.aborted()).toBe(true);
    expect(generator.inFlight()).toBe(0);
    expect(await registry.metrics()).toMatch(/kbalign_llm_requests_total\{outcome="cancelled"\} 1/);
  });

  it("ends a stream that runs past its deadline with TIMEOUT", async () => {
    llm.script = streamText(Array.from({ length: 50 }, (_, i) => `slow ${i} `), { delayMs: 100 });
    const { messages, error } = await drain(generate(nc, generateRequest({ deadline: Date.now() + 600 })));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.type === "chunk")).toBe(true);
    await llm.requests.at(-1)?.socketClosed;
  });

  it("ends with GENERATION_FAILED when the LLM server fails", async () => {
    llm.script = (_req, res) => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "model is loading" } }));
    };
    const { error } = await drain(generate(nc, generateRequest()));
    expect(error).toMatchObject({ code: "GENERATION_FAILED", retryable: true });
    expect((error as Error).message).toContain("model is loading");
  });

  it("on stop, gives streams in flight a grace period (cancels still honoured), then ends them with UNAVAILABLE", async () => {
    llm.script = streamText(Array.from({ length: 50 }, (_, i) => `long ${i} `), { delayMs: 100 });
    const stream = generate(nc, generateRequest());
    const cancelledReq = generateRequest();
    const cancelled = generate(nc, cancelledReq);
    await Promise.all([stream.next(), cancelled.next()]);
    const stopping = generator.stop();
    expect(generator.ready()).toBe(false);
    nc.publish(Subjects.generateCancel, encodeJson({ streamId: cancelledReq.streamId }));
    const [rest, cancelledRest] = await Promise.all([drain(stream), drain(cancelled)]);
    await stopping;
    expect(cancelledRest.error).toBeInstanceOf(CancelledError);
    expect(rest.error).toBeInstanceOf(UnavailableError);
    expect(rest.error).toMatchObject({ retryable: true });
    expect(generator.inFlight()).toBe(0);
    await sleep(50);
    const after = await drain(generate(nc, generateRequest(), 2_000));
    expect(after.error).toBeInstanceOf(UnavailableError);
  });
});
