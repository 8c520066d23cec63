import { Writable } from "node:stream";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CancelledError, GenerateRequest, GenerationError, TimeoutError, type GenerateRequestInput } from "@kbalign/contracts";
import { createLogger, type Logger } from "@kbalign/telemetry";
import {
  chunkEvent,
  DONE_EVENT,
  errorResponse,
  sleep,
  stallAfter,
  startFakeOpenAi,
  streamText,
  writeSseHead,
  type FakeOpenAiServer,
} from "../../test/fixtures/openai-server.js";
import { createCancellations } from "../cancellations.js";
import { createGenerateHandler } from "../generate-handler.js";
import { createGeneratorMetrics, type LlmOutcome } from "../metrics.js";
import { ProviderBackoffError } from "./retry-after.js";
import { createOpenAiBackend, type OpenAiBackendOptions } from "./openai.js";

const API_KEY = "sk-test-0123456789abcdef-SECRET";
const quiet = createLogger({ service: "test", level: "silent" });

const request = (overrides: Partial<GenerateRequestInput> = {}): GenerateRequest =>
  GenerateRequest.parse({
    streamId: "s1",
    purpose: "final_answer",
    query: "How do bees find flowers?",
    documents: [{ id: "a", score: 1, title: "Honey bees", text: "Bees dance to show the way." }],
    deadline: Date.now() + 10_000,
    ...overrides,
  });

async function collect(gen: AsyncGenerator<string, string, undefined>, pieces: string[] = []): Promise<{ pieces: string[]; finish: string }> {
  for (;;) {
    const next = await gen.next();
    if (next.done) return { pieces, finish: next.value };
    pieces.push(next.value);
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (err: unknown) => err,
  );
}

describe("openai backend against a local OpenAI-compatible server", () => {
  let server: FakeOpenAiServer;
  const outcomes: LlmOutcome[] = [];
  const backend = (options: Partial<OpenAiBackendOptions> = {}) =>
    createOpenAiBackend({
      baseUrl: server.baseUrl,
      model: "test-model",
      apiKey: API_KEY,
      firstByteTimeoutMs: 5_000,
      log: quiet,
      observe: (outcome) => outcomes.push(outcome),
      ...options,
    });

  beforeAll(async () => {
    server = await startFakeOpenAi();
  });
  afterEach(() => {
    outcomes.length = 0;
    server.requests.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  it("yields the content deltas in order and stops at [DONE], skipping pings and empty deltas", async () => {
    server.script = streamText(["Bees", " dance", " to", " show", " the way."]);
    const { pieces, finish } = await collect(backend().generate(request(), new AbortController().signal));
    expect(pieces).toEqual(["Bees", " dance", " to", " show", " the way."]);
    expect(finish).toBe("stop");
    expect(outcomes).toEqual(["ok"]);
  });

  it("returns the server's finish reason", async () => {
    server.script = streamText(["cut"], { finishReason: "length" });
    expect((await collect(backend().generate(request(), new AbortController().signal))).finish).toBe("length");
  });

  it("stops at [DONE] even if the server keeps the response open", async () => {
    server.script = (_req, res) => {
      writeSseHead(res);
      res.write(chunkEvent({ content: "done" }));
      res.write(DONE_EVENT);
      // never ends the response
    };
    const { pieces } = await collect(backend().generate(request(), new AbortController().signal));
    expect(pieces).toEqual(["done"]);
  });

  it("handles events split across TCP writes", async () => {
    server.script = async (_req, res) => {
      writeSseHead(res);
      const all = chunkEvent({ content: "split " }) + chunkEvent({ content: "我们" }) + DONE_EVENT;
      const bytes = Buffer.from(all, "utf8");
      // Cut inside a JSON string and inside a multi-byte character.
      const cut1 = 17;
      const cut2 = Buffer.byteLength(all.slice(0, all.indexOf("我")), "utf8") + 1;
      for (const part of [bytes.subarray(0, cut1), bytes.subarray(cut1, cut2), bytes.subarray(cut2)]) {
        res.write(part);
        await sleep(20);
      }
      res.end();
    };
    expect((await collect(backend().generate(request(), new AbortController().signal))).pieces.join("")).toBe("split 我们");
  });

  it("POSTs model, messages and stream:true to /chat/completions with the bearer key", async () => {
    server.script = streamText(["ok"]);
    await collect(backend({ maxTokens: 256 }).generate(request({ maxTokens: 64 }), new AbortController().signal));
    const [recorded] = server.requests;
    expect(recorded?.method).toBe("POST");
    expect(recorded?.path).toBe("/v1/chat/completions");
    expect(recorded?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(recorded?.headers["content-type"]).toBe("application/json");
    expect(recorded?.body).toMatchObject({ model: "test-model", stream: true, max_tokens: 64 });
    const body = recorded?.body as { messages: { role: string; content: string }[] };
    expect(body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(body.messages[1]?.content).toContain("[1] Honey bees\nBees dance to show the way.");
  });

  it("sends no Authorization header without a key, and the configured max_tokens by default", async () => {
    server.script = streamText(["ok"]);
    await collect(backend({ apiKey: undefined, maxTokens: 256 }).generate(request(), new AbortController().signal));
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 256 });
  });

  it("leaves max_tokens out when neither the request nor the config sets it", async () => {
    server.script = streamText(["ok"]);
    await collect(backend().generate(request(), new AbortController().signal));
    expect(server.requests[0]?.body).not.toHaveProperty("max_tokens");
  });

  it("reports HTTP 500 with the provider's message as a retryable GenerationError", async () => {
    server.script = errorResponse(500, "The server had an error while processing your request.");
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(true);
    expect((err as Error).message).toContain("HTTP 500");
    expect((err as Error).message).toContain("The server had an error while processing your request.");
    expect(outcomes).toEqual(["http_error"]);
  });

  it("reports HTTP 401 as not retryable, without the key the provider echoed", async () => {
    server.script = errorResponse(401, `Incorrect API key provided: ${API_KEY}.`, "invalid_request_error");
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(false);
    expect((err as Error).message).toContain("HTTP 401");
    expect((err as Error).message).toContain("Incorrect API key provided: [redacted].");
    expect((err as Error).message).not.toContain(API_KEY);
  });

  it.each([
    [408, true],
    [409, true],
    [429, true],
    [503, true],
    [400, false],
    [404, false],
  ])("marks HTTP %i retryable: %s", async (status, retryable) => {
    server.script = errorResponse(status, "nope");
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(retryable);
  });

  it("reads Retry-After of a 429 into a non-retryable ProviderBackoffError", async () => {
    server.script = (_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      res.end(JSON.stringify({ error: { message: "Rate limit reached" } }));
    };
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(ProviderBackoffError);
    expect(err).toMatchObject({ retryAfterMs: 7_000, retryable: false, code: "GENERATION_FAILED" });
  });

  it("reads Ollama-style string errors", async () => {
    server.script = (_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "model 'test-model' not found" }));
    };
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect((err as Error).message).toContain("model 'test-model' not found");
  });

  it("stops a slow server at the request deadline with TIMEOUT and closes the connection", async () => {
    server.script = stallAfter("partial");
    const started = Date.now();
    const pieces: string[] = [];
    const err = await failure(collect(backend().generate(request({ deadline: Date.now() + 300 }), new AbortController().signal), pieces));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(pieces).toEqual(["partial"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    await server.requests[0]?.socketClosed;
    expect(server.requests[0]?.aborted()).toBe(true);
    expect(outcomes).toEqual(["timeout"]);
  });

  it("gives up on a server that sends nothing within the first-byte timeout", async () => {
    server.script = () => {
      // accepts the request, never answers
    };
    const err = await failure(collect(backend({ firstByteTimeoutMs: 200 }).generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(true);
    expect((err as Error).message).toContain("sent nothing within 200 ms");
    expect(outcomes).toEqual(["timeout"]);
  });

  it("applies the first-byte timeout after the headers too, counting it as a timeout", async () => {
    server.script = (_req, res) => {
      writeSseHead(res);
      res.flushHeaders();
    };
    const err = await failure(collect(backend({ firstByteTimeoutMs: 200 }).generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as Error).message).toContain("sent nothing within 200 ms");
    expect(outcomes).toEqual(["timeout"]);
    await server.requests[0]?.socketClosed;
  });

  it("reports a connection dropped mid-stream as a retryable GenerationError", async () => {
    server.script = (_req, res) => {
      writeSseHead(res);
      res.write(chunkEvent({ content: "half" }), () => setTimeout(() => res.socket?.destroy(), 20));
    };
    const pieces: string[] = [];
    const err = await failure(collect(backend().generate(request(), new AbortController().signal), pieces));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(true);
    expect(pieces).toEqual(["half"]);
    expect(outcomes).toEqual(["network_error"]);
  });

  it("reports a stream that ends without [DONE] as a retryable GenerationError", async () => {
    server.script = streamText(["a", "b"], { omitDone: true });
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(true);
    expect((err as Error).message).toContain("[DONE]");
  });

  it("reports a malformed data line as a GenerationError", async () => {
    server.script = (_req, res) => {
      writeSseHead(res);
      res.write(chunkEvent({ content: "fine" }));
      res.write("data: {not json\n\n");
      res.end(DONE_EVENT);
    };
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as Error).message).toContain("malformed");
    expect(outcomes).toEqual(["protocol_error"]);
  });

  it("reports an error event inside the stream", async () => {
    server.script = (_req, res) => {
      writeSseHead(res);
      res.write(`data: ${JSON.stringify({ error: { message: "engine died", type: "server_error" } })}\n\n`);
      res.end();
    };
    const err = await failure(collect(backend().generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as Error).message).toContain("engine died");
  });

  it("reports an unreachable server as a retryable GenerationError", async () => {
    const gone = await startFakeOpenAi();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const err = await failure(collect(backend({ baseUrl }).generate(request(), new AbortController().signal)));
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as GenerationError).retryable).toBe(true);
    expect((err as Error).message).toContain("cannot reach the LLM server");
    expect(outcomes).toEqual(["network_error"]);
  });

  it("aborts the HTTP request when cancelled: the server sees the socket close", async () => {
    server.script = streamText(["one", "two", "three", "four"], { delayMs: 2_000 });
    const controller = new AbortController();
    const gen = backend().generate(request(), controller.signal);
    const first = gen.next();
    await sleep(100);
    controller.abort(new CancelledError("cancelled by test"));
    const err = await failure(first);
    expect(err).toBeInstanceOf(CancelledError);
    await server.requests[0]?.socketClosed;
    expect(server.requests[0]?.aborted()).toBe(true);
    expect(outcomes).toEqual(["cancelled"]);
  });

  it("aborts the HTTP request when the consumer stops iterating early", async () => {
    server.script = streamText(["one", "two", "three"], { delayMs: 300 });
    const gen = backend().generate(request(), new AbortController().signal);
    expect((await gen.next()).value).toBe("one");
    await gen.return("stopped");
    await server.requests[0]?.socketClosed;
    expect(server.requests[0]?.aborted()).toBe(true);
  });

  it("never writes the API key to a log line or an error message", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        callback();
      },
    });
    const log: Logger = createLogger({ service: "test", level: "trace", destination });
    const logged = backend({ log });
    const messages: string[] = [];
    const scripts = [
      streamText(["fine"]),
      errorResponse(401, `Incorrect API key provided: ${API_KEY}.`),
      (_req: unknown, res: import("node:http").ServerResponse) => {
        writeSseHead(res);
        res.end(`data: {"error": {"message": "bad key ${API_KEY}"}}\n\n`);
      },
      (_req: unknown, res: import("node:http").ServerResponse) => {
        writeSseHead(res);
        res.end(`data: ${API_KEY}\n\n`);
      },
    ];
    // Through the real handler, which logs failures with their error (and its cause) at warn.
    const handler = createGenerateHandler({ backend: logged, log, metrics: createGeneratorMetrics(new Registry()), cancellations: createCancellations() });
    for (const script of scripts) {
      server.script = script;
      try {
        await handler(request(), () => undefined);
      } catch (err) {
        messages.push((err as Error).message);
      }
    }
    expect(messages).toHaveLength(3);
    expect(lines.some((line) => line.includes('"msg":"generation failed"'))).toBe(true);
    expect(lines.length).toBeGreaterThan(4);
    for (const line of [...lines, ...messages]) expect(line).not.toContain(API_KEY);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });
});
