// The generator (openai backend, against a fake LLM) on a real nats-server whose max_payload is
// 64 KiB: an LLM error text holding CR/LF and an answer larger than one message still arrive.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { GenerateReply, GenerationError, Subjects, type GenerateRequestInput } from "@kbalign/contracts";
import { bodyBudget, connectNats, encodeJson, requestStream, type NatsConnection } from "@kbalign/nats";
import { createLogger } from "@kbalign/telemetry";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { loadConfig, startGenerator, type GeneratorHandle } from "../../src/index.js";
import { startFakeOpenAi, streamText, type FakeOpenAiServer } from "../fixtures/openai-server.js";

const MAX_PAYLOAD = 64 * 1024;
const log = createLogger({ service: "test", level: "silent" });

let counter = 0;
const generateRequest = (): GenerateRequestInput => ({
  streamId: `wire-${++counter}`,
  purpose: "final_answer",
  query: "How do honey bees show where flowers are?",
  documents: [{ id: "bees", score: 1, title: "Bees", text: "Honey bees dance." }],
  deadline: Date.now() + 10_000,
});

async function drain(nc: NatsConnection, body: unknown): Promise<{ messages: GenerateReply[]; error?: unknown }> {
  const messages: GenerateReply[] = [];
  try {
    const stream = requestStream(nc, Subjects.generate, body, { message: GenerateReply, isLast: (m) => m.type === "end", timeoutMs: 8_000, idleTimeoutMs: 8_000 });
    for await (const m of stream) messages.push(m);
    return { messages };
  } catch (error) {
    return { messages, error };
  }
}

describe("generator wire faults on a nats-server with max_payload 64 KiB", () => {
  let server: TestNatsServer;
  let llm: FakeOpenAiServer;
  let serviceNc: NatsConnection;
  let nc: NatsConnection;
  let generator: GeneratorHandle;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false, maxPayloadBytes: MAX_PAYLOAD });
    llm = await startFakeOpenAi();
    serviceNc = await connectNats({ url: server.url, name: "generator" });
    nc = await connectNats({ url: server.url, name: "client" });
    const config = loadConfig({ NATS_URL: server.url, KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: llm.baseUrl, KBALIGN_LLM_MODEL: "test-model" });
    generator = await startGenerator({ nc: serviceNc, config, log, registry: new Registry() });
  });
  afterAll(async () => {
    await generator?.stop();
    await nc?.close();
    await serviceNc?.close();
    await llm?.close();
    await server?.stop();
  });

  it("delivers an LLM error text holding CR/LF at once, as GENERATION_FAILED with the whole text", async () => {
    llm.script = (_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "prompt too long:\r\n  max 4096 tokens\nsee the docs" } }));
    };
    const started = Date.now();
    const { messages, error } = await drain(nc, generateRequest());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(messages).toEqual([]);
    expect(error).toBeInstanceOf(GenerationError);
    expect((error as Error).message).toContain("prompt too long:\r\n  max 4096 tokens\nsee the docs");
  });

  it("streams an answer larger than one message as several chunks that each fit, whole and in order", async () => {
    const answer = `${"Bees dance to show the way. ".repeat(6_000)}The end.`; // ~168 KB in one delta
    llm.script = streamText([answer]);
    const { messages, error } = await drain(nc, generateRequest());
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i));
    expect(messages.filter((m) => m.type === "chunk").length).toBeGreaterThanOrEqual(3);
    expect(messages.map((m) => (m.type === "chunk" ? m.text : "")).join("")).toBe(answer);
    expect(messages.every((m) => encodeJson(m).length <= bodyBudget(nc))).toBe(true);
    expect(messages.at(-1)).toMatchObject({ type: "end" });
  });
});
