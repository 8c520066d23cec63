import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import {
  CancelledError,
  GenerateReply,
  GenerateRequest,
  GenerationError,
  OverloadedError,
  TimeoutError,
  UnavailableError,
  type GenerateRequestInput,
} from "@kbalign/contracts";
import { createLogger } from "@kbalign/telemetry";
import type { GenerationBackend } from "./backends/backend.js";
import { createCancellations } from "./cancellations.js";
import { createGenerateHandler } from "./generate-handler.js";
import { createGeneratorMetrics } from "./metrics.js";

const log = createLogger({ service: "test", level: "silent" });
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const TURN = Symbol("next event-loop turn");

const request = (overrides: Partial<GenerateRequestInput> = {}): GenerateRequest =>
  GenerateRequest.parse({ streamId: "s1", purpose: "final_answer", query: "q", documents: [], deadline: Date.now() + 10_000, ...overrides });

/** A backend that yields the given pieces, waiting a turn at each TURN, and records its signal. */
function scripted(steps: (string | typeof TURN)[], options: { failWith?: Error; hang?: boolean } = {}) {
  const seen: { signal?: AbortSignal; calls: number; cleanedUp: boolean } = { calls: 0, cleanedUp: false };
  const backend: GenerationBackend = {
    name: "scripted",
    async *generate(_req, signal) {
      seen.signal = signal;
      seen.calls++;
      try {
        for (const step of steps) {
          if (step === TURN) await nextTurn();
          else yield step;
        }
        if (options.failWith) throw options.failWith;
        // A backend that ignores its signal: only the handler's own race can end the wait.
        if (options.hang) await new Promise(() => undefined);
        return "stop";
      } finally {
        seen.cleanedUp = true;
      }
    },
  };
  return { backend, seen };
}

function setup(backend: GenerationBackend, maxChunkTextBytes?: number) {
  const registry = new Registry();
  const metrics = createGeneratorMetrics(registry);
  const cancellations = createCancellations();
  const handler = createGenerateHandler({ backend, log, metrics, cancellations, ...(maxChunkTextBytes === undefined ? {} : { maxChunkTextBytes: () => maxChunkTextBytes }) });
  const sent: GenerateReply[] = [];
  const send = (body: unknown) => sent.push(GenerateReply.parse(body));
  return { registry, cancellations, handler, sent, send };
}

describe("generate handler", () => {
  it("refuses a stream past maxInFlight at once with a retryable OVERLOADED, before calling the backend", async () => {
    const { backend, seen } = scripted([], { hang: true });
    const registry = new Registry();
    const cancellations = createCancellations();
    const handler = createGenerateHandler({ backend, log, metrics: createGeneratorMetrics(registry), cancellations, maxInFlight: 1 });
    const first = handler(request({ streamId: "one" }), () => undefined);
    await nextTurn();
    const err = await handler(request({ streamId: "two" }), () => undefined).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OverloadedError);
    expect((err as OverloadedError).retryable).toBe(true);
    expect(seen.calls).toBe(1);
    cancellations.cancel("one");
    await first.catch(() => undefined);
  });

  it("stops a silent backend at firstChunkBy with TIMEOUT, long before the deadline", async () => {
    const { backend, seen } = scripted([], { hang: true });
    const { handler, send, sent } = setup(backend);
    const started = Date.now();
    const err = await handler(request({ firstChunkBy: Date.now() + 50, deadline: Date.now() + 60_000 }), send).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toContain("first-chunk budget");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen.signal?.aborted).toBe(true);
    expect(sent).toEqual([]);
  });

  it("lets a stream that started before firstChunkBy run on past it", async () => {
    const { backend } = scripted(["a", TURN, TURN]);
    const slow: typeof backend = {
      name: "slow",
      async *generate(req, signal) {
        yield "first ";
        await new Promise((resolve) => setTimeout(resolve, 80));
        yield* backend.generate(req, signal);
        return "stop";
      },
    };
    const { handler, send, sent } = setup(slow);
    await handler(request({ firstChunkBy: Date.now() + 30 }), send);
    expect(sent.map((m) => (m.type === "chunk" ? m.text : m.type)).join("")).toBe("first aend");
  });

  it("coalesces pieces of one event-loop turn into one chunk, numbers messages from 0 and ends once", async () => {
    const { backend } = scripted(["The ", "quick ", TURN, "brown ", "fox", TURN, "."]);
    const { handler, sent, send } = setup(backend);
    await handler(request(), send);
    expect(sent).toEqual([
      { type: "chunk", seq: 0, text: "The quick " },
      { type: "chunk", seq: 1, text: "brown fox" },
      { type: "chunk", seq: 2, text: "." },
      { type: "end", seq: 3, finishReason: "stop" },
    ]);
  });

  it("with lastChunkEnds, sends the last text and the end in one message (a chunk carrying finishReason)", async () => {
    const { backend } = scripted(["The ", "quick ", TURN, "brown ", "fox", "."]);
    const { handler, sent, send } = setup(backend);
    await handler(request({ lastChunkEnds: true }), send);
    expect(sent).toEqual([
      { type: "chunk", seq: 0, text: "The quick " },
      { type: "chunk", seq: 1, text: "brown fox.", finishReason: "stop" },
    ]);
  });

  it("with lastChunkEnds, still sends a separate end when no text is left to carry it", async () => {
    const { backend } = scripted(["all of it", TURN, TURN]);
    const { handler, sent, send } = setup(backend);
    await handler(request({ lastChunkEnds: true }), send);
    expect(sent).toEqual([
      { type: "chunk", seq: 0, text: "all of it" },
      { type: "end", seq: 1, finishReason: "stop" },
    ]);
  });

  it("with lastChunkEnds, a last text too large for one message ends on its last piece only", async () => {
    const { backend } = scripted(["x".repeat(250)]);
    const { handler, sent, send } = setup(backend, 100);
    await handler(request({ lastChunkEnds: true }), send);
    expect(sent.map((m) => m.type)).toEqual(["chunk", "chunk", "chunk"]);
    expect(sent.map((m) => m.finishReason)).toEqual([undefined, undefined, "stop"]);
    expect(sent.flatMap((m) => (m.type === "chunk" ? [m.text] : [])).join("")).toBe("x".repeat(250));
  });

  it("sends a turn's text too large for one message as several chunks, in order", async () => {
    const { backend } = scripted(["x".repeat(250), TURN, "end."]);
    const { handler, sent, send } = setup(backend, 100);
    await handler(request(), send);
    expect(sent.map((m) => m.seq)).toEqual([0, 1, 2, 3, 4]);
    const texts = sent.flatMap((m) => (m.type === "chunk" ? [m.text] : []));
    expect(texts.join("")).toBe(`${"x".repeat(250)}end.`);
    expect(texts.every((t) => JSON.stringify(t).length <= 100)).toBe(true);
    expect(sent.at(-1)).toEqual({ type: "end", seq: 4, finishReason: "stop" });
  });

  it("records chunks and time to first chunk by backend and purpose", async () => {
    const { backend } = scripted(["a", TURN, "b"]);
    const { handler, send, registry } = setup(backend);
    await handler(request({ purpose: "first_answer" }), send);
    const text = await registry.metrics();
    expect(text).toContain('kbalign_generate_chunks_total{backend="scripted",purpose="first_answer"} 2');
    expect(text).toContain('kbalign_generate_time_to_first_chunk_seconds_count{backend="scripted",purpose="first_answer"} 1');
  });

  it("ends with CancelledError when the stream is cancelled, stops the backend and sends nothing more", async () => {
    const steps = Array.from({ length: 200 }, (_, i) => [`p${i} `, TURN] as const).flat();
    const { backend, seen } = scripted(steps);
    const { handler, sent, send, cancellations } = setup(backend);
    const running = handler(request({ streamId: "cancel-me" }), send);
    while (sent.length < 2) await nextTurn();
    cancellations.cancel("cancel-me");
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    const count = sent.length;
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(sent.length).toBe(count);
    expect(sent.every((m) => m.type === "chunk")).toBe(true);
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.cleanedUp).toBe(true);
    expect(cancellations.size).toBe(0);
  });

  it("ends with TimeoutError at the deadline even if the backend ignores its signal", async () => {
    const { backend, seen } = scripted(["partial"], { hang: true });
    const { handler, sent, send, cancellations } = setup(backend);
    const started = Date.now();
    await expect(handler(request({ deadline: Date.now() + 200 }), send)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sent).toEqual([{ type: "chunk", seq: 0, text: "partial" }]);
    expect(seen.signal?.reason).toBeInstanceOf(TimeoutError);
    expect(cancellations.size).toBe(0);
  });

  it("refuses a request whose deadline has passed without calling the backend", async () => {
    const { backend, seen } = scripted(["never"]);
    const { handler, sent, send } = setup(backend);
    await expect(handler(request({ deadline: Date.now() - 1 }), send)).rejects.toBeInstanceOf(TimeoutError);
    expect(seen.calls).toBe(0);
    expect(sent).toEqual([]);
  });

  it("sends the text that arrived before a backend failure, then fails with the backend's error", async () => {
    const failure = new GenerationError("llm broke", true);
    const { backend } = scripted(["first ", "words"], { failWith: failure });
    const { handler, sent, send } = setup(backend);
    await expect(handler(request(), send)).rejects.toBe(failure);
    expect(sent).toEqual([{ type: "chunk", seq: 0, text: "first words" }]);
  });

  it("stops with UNAVAILABLE when a chunk cannot be sent", async () => {
    const { backend, seen } = scripted(["a", TURN, "b", TURN, "c"]);
    const { handler } = setup(backend);
    const send = () => {
      throw new Error("connection closed");
    };
    await expect(handler(request(), send)).rejects.toBeInstanceOf(UnavailableError);
    expect(seen.signal?.aborted).toBe(true);
  });
});
