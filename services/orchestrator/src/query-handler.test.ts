import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { StageEvent } from "@kbalign/contracts";
import { createInProcessGenerator, createInProcessRetriever, KBAlign, type GeneratorPort } from "@kbalign/pipeline";
import { createLogger } from "@kbalign/telemetry";
import { createAdmission } from "./admission.js";
import { createOrchestratorMetrics } from "./metrics.js";
import { createQueryHandler, type QueryMessage } from "./query-handler.js";
import { createRequestRegistry } from "./request-registry.js";

const corpus = { docs: [{ id: "bees", text: "Honey bees communicate with a waggle dance. The dance shows the way to flowers." }] };
const decoder = new TextDecoder();

/** A message as the handler sees it, recording what it responds (the NATS path is covered by the integration tests). */
function message(body: unknown, options: { reply?: string | undefined; failAfter?: number } = {}) {
  const sent: StageEvent[] = [];
  const msg: QueryMessage = {
    data: typeof body === "string" ? new TextEncoder().encode(body) : new TextEncoder().encode(JSON.stringify(body)),
    reply: "reply" in options ? options.reply : "_INBOX.x",
    respond(data) {
      if (options.failAfter !== undefined && sent.length >= options.failAfter) throw new Error("connection closed");
      sent.push(StageEvent.parse(JSON.parse(decoder.decode(data))));
      return true;
    },
  };
  return { msg, sent };
}

function setup(generator: GeneratorPort = createInProcessGenerator(), maxInFlight = 10) {
  const registry = new Registry();
  const metrics = createOrchestratorMetrics(registry);
  const admission = createAdmission(maxInFlight);
  const requests = createRequestRegistry();
  const pipeline = new KBAlign(createInProcessRetriever(corpus), generator);
  // Records what an adaptive limit would be told.
  const samples: number[] = [];
  const inFlight: number[] = [];
  const told = { arrivals: 0, inFlight };
  const limiter = { limit: () => maxInFlight, sample: (ms: number) => void samples.push(ms), inFlight: (n: number) => void inFlight.push(n), arrival: () => void told.arrivals++ };
  const handle = createQueryHandler({ pipeline, admission, requests, limiter, maxRequestBytes: 1_024, metrics, log: createLogger({ service: "t", level: "silent" }) });
  return { handle, admission, requests, registry, samples, told };
}

const query = { query: "How do bees communicate?", collection: "docs" };

describe("createQueryHandler", () => {
  it("publishes every stage event in order and returns OK", async () => {
    const { handle, admission, requests } = setup();
    const { msg, sent } = message({ ...query, requestId: "h-1" });
    expect(await handle(msg)).toBe("OK");
    expect(sent.map((e) => e.state)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "done"]);
    expect(sent.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(admission.inFlight()).toBe(0);
    expect(requests.size()).toBe(0);
  });

  it("tells the adaptive limit the wait to the first data chunk of answers on the normal path only", async () => {
    const inner = createInProcessGenerator();
    // The final answer's first chunk comes 80 ms after everything before it: the first event does not.
    const slowFinal: GeneratorPort = {
      async *generate(req, opts) {
        if (req.purpose === "first_answer" && req.query.includes("fail")) throw new Error("backend down");
        if (req.purpose === "final_answer") await new Promise((resolve) => setTimeout(resolve, 80));
        yield* inner.generate(req, opts);
      },
    };
    const { handle, samples, told } = setup(slowFinal);
    expect(await handle(message({ ...query, requestId: "s-1" }).msg)).toBe("OK");
    expect(samples).toHaveLength(1);
    expect(samples[0]).toBeGreaterThanOrEqual(75);
    // The number in flight after the admission and after the release.
    expect(told.inFlight).toEqual([1, 0]);

    // Errors and degraded answers (a backend failed or timed out) say nothing about queueing here.
    expect(await handle(message({ ...query, collection: "other" }).msg)).toBe("COLLECTION_NOT_FOUND");
    const degraded = message({ ...query, query: "How do bees communicate when generation fail?" });
    expect(await handle(degraded.msg)).toBe("OK");
    expect(degraded.sent.at(-1)).toMatchObject({ state: "done", degraded: [expect.objectContaining({ stage: "first_answer" })] });
    expect(samples).toHaveLength(1);
  });

  it("returns the terminal error code", async () => {
    const { handle } = setup();
    const { msg, sent } = message({ ...query, collection: "other" });
    expect(await handle(msg)).toBe("COLLECTION_NOT_FOUND");
    expect(sent).toHaveLength(1);
  });

  it.each([
    ["oversized", { ...query, query: "x".repeat(2_000) }, /more than the limit of 1024/],
    ["not JSON", "{", /not valid JSON/],
    ["invalid", { ...query, topn: 51 }, /'topn'/],
  ])("answers a %s body with one BAD_REQUEST event", async (_, body, text) => {
    const { handle } = setup();
    const { msg, sent } = message(body);
    expect(await handle(msg)).toBe("BAD_REQUEST");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ seq: 0, state: "error", code: "BAD_REQUEST", value: expect.stringMatching(text) });
  });

  it("does no work for a message without a reply subject", async () => {
    let generated = 0;
    const { handle } = setup({
      async *generate() {
        generated++;
        yield "x";
      },
    });
    const { msg, sent } = message(query, { reply: undefined });
    expect(await handle(msg)).toBe("BAD_REQUEST");
    expect(sent).toHaveLength(0);
    expect(generated).toBe(0);
  });

  it("answers OVERLOADED when no slot is free", async () => {
    const { handle, admission } = setup(undefined, 1);
    const release = admission.admit();
    const { msg, sent } = message({ ...query, requestId: "busy-1" });
    expect(await handle(msg)).toBe("OVERLOADED");
    expect(sent).toEqual([{ requestId: "busy-1", seq: 0, state: "error", code: "OVERLOADED", retryable: true, value: expect.any(String) }]);
    release();
  });

  it("sheds past the limit before validating: a query that would fail validation is refused OVERLOADED, its requestId kept", async () => {
    const { handle, admission, told } = setup(undefined, 1);
    const release = admission.admit();
    const { msg, sent } = message({ ...query, topn: 500, requestId: "busy-2" });
    expect(await handle(msg)).toBe("OVERLOADED");
    expect(sent).toEqual([{ requestId: "busy-2", seq: 0, state: "error", code: "OVERLOADED", retryable: true, value: expect.any(String) }]);
    release();
    const again = message({ ...query, topn: 500, requestId: "busy-2" });
    expect(await handle(again.msg)).toBe("BAD_REQUEST");
    // The limit hears of every arrival, the refused one too (arrivals outpacing releases is a surge).
    expect(told.arrivals).toBe(2);
  });

  it("stops the pipeline when events can no longer be published", async () => {
    let finalSignal: AbortSignal | undefined;
    const { handle, admission } = setup({
      async *generate(req, opts) {
        if (req.purpose === "final_answer") finalSignal = opts.signal;
        yield "chunk";
        if (req.purpose !== "final_answer") return;
        await new Promise((resolve) => opts.signal.addEventListener("abort", resolve, { once: true }));
      },
    });
    // recall, first_answer and query_expansion_recall go out; the first data event cannot.
    const { msg, sent } = message(query, { failAfter: 3 });
    expect(await handle(msg)).toBe("UNAVAILABLE");
    expect(sent.map((e) => e.state)).toEqual(["recall", "first_answer", "query_expansion_recall"]);
    expect(admission.inFlight()).toBe(0);
    expect(finalSignal?.aborted).toBe(true);
  });
});
