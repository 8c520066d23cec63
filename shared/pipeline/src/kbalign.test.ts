import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  CancelledError,
  CollectionNotFoundError,
  GenerationError,
  InternalError,
  UnavailableError,
  type DoneEvent,
  type ErrorEvent,
  type KBAlignError,
} from "@kbalign/contracts";
import {
  answering,
  chunks,
  collect,
  dataText,
  docsA,
  docsB,
  expectWellFormed,
  failing,
  hanging,
  scriptedGenerator,
  scriptedRetriever,
  states,
  twoRecalls,
  untilAborted,
} from "../test/fakes.js";
import { KBAlign } from "./kbalign.js";
import type { KBAlignConfigInput } from "./config.js";
import type { PipelineObserver, RetryNotice } from "./observer.js";

const fast: KBAlignConfigInput = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };
const ask = { query: "How do bees communicate?", collection: "docs", topn: 3 };

const asDone = (event: unknown) => event as DoneEvent;
const asError = (event: unknown) => event as ErrorEvent;

describe("KBAlign.run: the happy path", () => {
  it("yields recall, first_answer, query_expansion_recall, data…, done with seq 0..n", async () => {
    const retriever = twoRecalls();
    const generator = answering();
    const events = await collect(new KBAlign(retriever.port, generator.port, fast).run(ask));

    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "data", "done"]);
    expect(events[0]).toMatchObject({ state: "recall", value: docsA.map((d) => d.text), docs: [{ id: "bees", score: 3, title: "Honey bees" }, { id: "tides", score: 2 }] });
    expect(events[1]).toMatchObject({ state: "first_answer", value: "first answer." });
    expect(events[2]).toMatchObject({ state: "query_expansion_recall", value: docsB.map((d) => d.text) });
    expect(dataText(events)).toBe("final answer.");
    expect(asDone(last).degraded).toEqual([]);
    const timings = asDone(last).timingsMs;
    for (const stage of ["recall", "first_answer", "query_expansion_recall", "final_answer"] as const) expect(timings[stage]).toBeGreaterThanOrEqual(0);
    expect(timings.total).toBeGreaterThanOrEqual(timings.recall!);
  });

  it("expands the second recall with the first answer, weighted below the question and fused with its ranking", async () => {
    const retriever = twoRecalls();
    await collect(new KBAlign(retriever.port, answering().port, { ...fast, expansionWeight: 0.2, expansionMaxTerms: 7 }).run(ask));
    expect(retriever.calls.map((c) => c.req)).toEqual([
      { collection: ask.collection, topn: 3, query: ask.query },
      { collection: ask.collection, topn: 3, query: ask.query, expansion: { text: "first answer.", weight: 0.2, maxTerms: 7, fusion: "rrf" } },
    ]);
  });

  it("leaves the fusion out when queryExpansion is weighted", async () => {
    const retriever = twoRecalls();
    await collect(new KBAlign(retriever.port, answering().port, { ...fast, queryExpansion: "weighted" }).run(ask));
    expect(retriever.calls[1]?.req.expansion).toEqual({ text: "first answer.", weight: 0.3, maxTerms: 10 });
  });

  it("glues the question and the first answer with a newline when queryExpansion is concat", async () => {
    const retriever = twoRecalls();
    await collect(new KBAlign(retriever.port, answering().port, { ...fast, queryExpansion: "concat" }).run(ask));
    expect(retriever.calls.map((c) => c.req.query)).toEqual([ask.query, `${ask.query}\nfirst answer.`]);
    expect(retriever.calls[1]?.req.expansion).toBeUndefined();
  });

  it("cuts the first answer to firstAnswerMaxChars in the expanded query", async () => {
    const retriever = twoRecalls();
    const generator = scriptedGenerator((_, req) => chunks(req.purpose === "first_answer" ? "x".repeat(50) : "ok"));
    await collect(new KBAlign(retriever.port, generator.port, { ...fast, firstAnswerMaxChars: 10 }).run(ask));
    expect(retriever.calls[1]?.req.expansion?.text).toBe("x".repeat(10));
    await collect(new KBAlign(retriever.port, generator.port, { ...fast, firstAnswerMaxChars: 10, queryExpansion: "concat" }).run(ask));
    expect(retriever.calls[3]?.req.query).toBe(`${ask.query}\n${"x".repeat(10)}`);
  });

  it("passes collection and a numeric topn to every retrieve", async () => {
    const retriever = twoRecalls();
    await collect(new KBAlign(retriever.port, answering().port, fast).run({ ...ask, collection: "kb_2", topn: 7 }));
    expect(retriever.calls).toHaveLength(2);
    for (const call of retriever.calls) expect(call.req).toMatchObject({ collection: "kb_2", topn: 7 });
  });

  it("gives the generator the recalled documents as Document objects with their text", async () => {
    const generator = answering();
    await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask));
    expect(generator.of("first_answer")[0]?.req.documents).toEqual(docsA);
    expect(generator.of("final_answer")[0]?.req.documents).toEqual(docsB);
    expect(generator.of("final_answer")[0]?.req.documents.map((d) => d.text)).toEqual(docsB.map((d) => d.text));
  });

  it("uses the last system message as the system prompt and the other messages as history", async () => {
    const generator = answering();
    const messages = [
      { role: "system" as const, content: "old prompt" },
      { role: "user" as const, content: "hi" },
      { role: "system" as const, content: "Answer in one line." },
      { role: "assistant" as const, content: "hello" },
    ];
    const kb = new KBAlign(twoRecalls().port, generator.port, { ...fast, systemPrompt: "config prompt", promptTemplate: "{query} {documents}" });
    await collect(kb.run({ ...ask, messages }));
    for (const call of generator.calls) {
      expect(call.req.systemPrompt).toBe("Answer in one line.");
      expect(call.req.messages).toEqual([messages[1], messages[3]]);
      expect(call.req.promptTemplate).toBe("{query} {documents}");
      expect(call.req.query).toBe(ask.query);
    }
  });

  it("falls back to config.systemPrompt when the request has no system message", async () => {
    const generator = answering();
    await collect(new KBAlign(twoRecalls().port, generator.port, { ...fast, systemPrompt: "config prompt" }).run(ask));
    expect(generator.calls.map((c) => c.req.systemPrompt)).toEqual(["config prompt", "config prompt"]);
  });

  it("sends the whole answer as one data event when stream is false", async () => {
    const kb = new KBAlign(twoRecalls().port, answering().port, fast);
    const events = await collect(kb.run({ ...ask, stream: false }));
    expectWellFormed(events);
    expect(events.filter((e) => e.state === "data").map((e) => e.value)).toEqual(["final answer."]);
  });

  it("takes the stream default from the config when the request does not say", async () => {
    const kb = new KBAlign(twoRecalls().port, answering().port, { ...fast, stream: false });
    expect(states(await collect(kb.run(ask))).filter((s) => s === "data")).toHaveLength(1);
    expect(states(await collect(kb.run({ ...ask, stream: true }))).filter((s) => s === "data")).toHaveLength(2);
  });

  it("uses the client's requestId, or a fresh UUID per run", async () => {
    const kb = new KBAlign(twoRecalls().port, answering().port, fast);
    const mine = await collect(kb.run({ ...ask, requestId: "req-1" }));
    expect(mine.every((e) => e.requestId === "req-1")).toBe(true);
    const a = (await collect(kb.run(ask)))[0]!.requestId;
    const b = (await collect(kb.run(ask)))[0]!.requestId;
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it("keeps at most topn documents whatever the retriever returns", async () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, score: 10 - i, text: `Document ${i} about bees.` }));
    const events = await collect(new KBAlign(scriptedRetriever(() => many).port, answering().port, fast).run({ ...ask, topn: 2 }));
    expect(events[0]).toMatchObject({ state: "recall", docs: [{ id: "d0" }, { id: "d1" }] });
  });
});

describe("KBAlign.run: graceful degradation", () => {
  it("skips query expansion when the first answer fails, answering from the first recall", async () => {
    const retriever = twoRecalls();
    const generator = scriptedGenerator((_, req) =>
      req.purpose === "first_answer" ? failing(new GenerationError("model refused")) : chunks("final."),
    );
    const events = await collect(new KBAlign(retriever.port, generator.port, fast).run(ask));

    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["recall", "data", "done"]);
    expect(retriever.calls).toHaveLength(1);
    expect(generator.of("final_answer")[0]?.req.documents).toEqual(docsA);
    expect(asDone(last).degraded).toEqual([
      { stage: "first_answer", code: "GENERATION_FAILED", fallback: "skipped query expansion", message: "model refused" },
    ]);
    expect(asDone(last).timingsMs.query_expansion_recall).toBeUndefined();
  });

  it("skips query expansion when the first answer takes longer than firstAnswerTimeoutMs", async () => {
    const generator = scriptedGenerator((_, req, opts) => (req.purpose === "first_answer" ? untilAborted(opts.signal) : chunks("final.")));
    const kb = new KBAlign(twoRecalls().port, generator.port, { ...fast, firstAnswerTimeoutMs: 50 });
    const events = await collect(kb.run(ask));

    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["recall", "data", "done"]);
    expect(asDone(last).degraded).toMatchObject([{ stage: "first_answer", code: "TIMEOUT", fallback: "skipped query expansion" }]);
    expect(generator.of("first_answer")[0]?.opts.signal.aborted).toBe(true);
    expect(generator.of("first_answer")[0]?.opts.deadline).toBeLessThanOrEqual(Date.now());
  });

  it("answers from the first recall when the second retrieval fails", async () => {
    const retriever = scriptedRetriever((call) => {
      if (call === 0) return docsA;
      throw new UnavailableError("no responders for kbalign.v1.retrieve");
    });
    const generator = answering();
    const events = await collect(new KBAlign(retriever.port, generator.port, { ...fast, maxRetries: 0 }).run(ask));

    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["recall", "first_answer", "data", "data", "done"]);
    expect(generator.of("final_answer")[0]?.req.documents).toEqual(docsA);
    expect(asDone(last).degraded).toEqual([
      {
        stage: "query_expansion_recall",
        code: "UNAVAILABLE",
        fallback: "final answer from the first recall",
        message: "no responders for kbalign.v1.retrieve",
      },
    ]);
  });

  it("streams an extractive answer from the recalled documents when the final generation fails before any chunk", async () => {
    const generator = scriptedGenerator((_, req) =>
      req.purpose === "final_answer" ? failing(new GenerationError("LLM endpoint returned 500")) : chunks("bees dance"),
    );
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask));

    const last = expectWellFormed(events);
    expect(states(events).slice(0, 3)).toEqual(["recall", "first_answer", "query_expansion_recall"]);
    const data = events.filter((e) => e.state === "data");
    expect(data.length).toBeGreaterThanOrEqual(1);
    // Every sentence comes from the documents the final answer was to be grounded on.
    expect(docsB[0]!.text).toContain(String(data[0]!.value).trim());
    expect(asDone(last).degraded).toEqual([
      { stage: "final_answer", code: "GENERATION_FAILED", fallback: "extractive answer from the recalled documents", message: "LLM endpoint returned 500" },
    ]);
  });

  it("sends the extractive fallback as one data event when stream is false", async () => {
    const generator = scriptedGenerator((_, req) => (req.purpose === "final_answer" ? failing(new GenerationError("down")) : chunks("x")));
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run({ ...ask, stream: false }));
    expectWellFormed(events);
    const data = events.filter((e) => e.state === "data");
    expect(data).toHaveLength(1);
    expect(docsB[0]!.text).toContain(data[0]!.value);
    expect(data[0]!.value).toContain("waggle dance");
  });

  it("lists every degradation taken when several stages fail", async () => {
    const generator = scriptedGenerator(() => failing(new GenerationError("down")));
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask));
    const last = expectWellFormed(events);
    expect(asDone(last).degraded.map((d) => d.stage)).toEqual(["first_answer", "final_answer"]);
    expect(dataText(events)).toContain("waggle dance");
  });

  it("ends with a retryable GENERATION_FAILED when the final generation fails after chunks were sent", async () => {
    const generator = scriptedGenerator((_, req) =>
      req.purpose === "final_answer" ? failing(new UnavailableError("generator went away"), "partial ") : chunks("x"),
    );
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask));

    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "error"]);
    expect(last).toMatchObject({ state: "error", code: "GENERATION_FAILED", retryable: true });
    expect(asError(last).value).toContain("generator went away");
    expect(generator.of("final_answer")).toHaveLength(1);
  });

  it("ends with RETRIEVAL_FAILED, retryable, naming the cause, when the first retrieval is unavailable", async () => {
    const retriever = scriptedRetriever(() => {
      throw new UnavailableError("no responders for kbalign.v1.retrieve");
    });
    const generator = answering();
    const events = await collect(new KBAlign(retriever.port, generator.port, { ...fast, maxRetries: 1 }).run(ask));

    const last = expectWellFormed(events);
    expect(events).toHaveLength(1);
    expect(last).toMatchObject({ state: "error", code: "RETRIEVAL_FAILED", retryable: true });
    expect(asError(last).value).toContain("no responders for kbalign.v1.retrieve");
    expect(generator.calls).toHaveLength(0);
  });

  it("ends with RETRIEVAL_FAILED when every retrieve attempt times out", async () => {
    const retriever = scriptedRetriever(() => new Promise(() => undefined));
    const events = await collect(new KBAlign(retriever.port, answering().port, { ...fast, retrieveTimeoutMs: 30, maxRetries: 1 }).run(ask));
    expect(expectWellFormed(events)).toMatchObject({ state: "error", code: "RETRIEVAL_FAILED", retryable: true });
    expect(asError(events[0]).value).toContain("within 30 ms");
    expect(retriever.calls).toHaveLength(2);
    expect(retriever.calls.every((c) => c.opts.signal.aborted)).toBe(true);
  });

  it.each([
    ["COLLECTION_NOT_FOUND", new CollectionNotFoundError("docs")],
    ["BAD_REQUEST", new BadRequestError("query too long", "query")],
  ])("passes %s from the first retrieval through with its own code", async (code, error) => {
    const retriever = scriptedRetriever(() => {
      throw error;
    });
    const events = await collect(new KBAlign(retriever.port, answering().port, fast).run(ask));
    expect(expectWellFormed(events)).toMatchObject({ state: "error", code, retryable: false, value: error.message });
    expect(retriever.calls).toHaveLength(1);
  });
});

describe("KBAlign.run: retries", () => {
  it("retries a retriever that fails twice with retryable errors, then succeeds", async () => {
    const retries: RetryNotice[] = [];
    const retriever = scriptedRetriever((call) => {
      if (call < 2) throw new UnavailableError(`attempt ${call} failed`);
      return call === 2 ? docsA : docsB;
    });
    const kb = new KBAlign(retriever.port, answering().port, fast, { onRetry: (n) => retries.push(n) });
    const events = await collect(kb.run(ask));

    const last = expectWellFormed(events);
    expect(last.state).toBe("done");
    expect(asDone(last).degraded).toEqual([]);
    expect(retriever.calls).toHaveLength(4);
    expect(retries.map((r) => [r.target, r.stage, r.attempt, r.error.code])).toEqual([
      ["retrieve", "recall", 1, "UNAVAILABLE"],
      ["retrieve", "recall", 2, "UNAVAILABLE"],
    ]);
  });

  it("does not retry a non-retryable error", async () => {
    const retriever = scriptedRetriever(() => {
      throw new CollectionNotFoundError("docs");
    });
    await collect(new KBAlign(retriever.port, answering().port, { ...fast, maxRetries: 5 }).run(ask));
    expect(retriever.calls).toHaveLength(1);
  });

  it("makes at most maxRetries retries", async () => {
    const retriever = scriptedRetriever(() => {
      throw new UnavailableError("down");
    });
    await collect(new KBAlign(retriever.port, answering().port, { ...fast, maxRetries: 3 }).run(ask));
    expect(retriever.calls).toHaveLength(4);
  });

  it("stops retrying at the request deadline", async () => {
    const retriever = scriptedRetriever(() => {
      throw new UnavailableError("down");
    });
    const kb = new KBAlign(retriever.port, answering().port, { maxRetries: 10, retryBaseDelayMs: 150, retryMaxDelayMs: 150 });
    const started = Date.now();
    const events = await collect(kb.run({ ...ask, timeoutMs: 300 }));
    const elapsed = Date.now() - started;

    expect(expectWellFormed(events)).toMatchObject({ state: "error" });
    expect(["RETRIEVAL_FAILED", "TIMEOUT"]).toContain(asError(events[0]).code);
    expect(elapsed).toBeLessThan(300 + 250);
    expect(retriever.calls.length).toBeLessThan(11);
  });

  it("retries a generation that fails before its first chunk", async () => {
    const retries: RetryNotice[] = [];
    const generator = scriptedGenerator((call, req) => {
      if (req.purpose === "final_answer" && call < 3) return failing(new UnavailableError("no generator"));
      return chunks(req.purpose === "first_answer" ? "draft" : "final.");
    });
    const kb = new KBAlign(twoRecalls().port, generator.port, fast, { onRetry: (n) => retries.push(n) });
    const events = await collect(kb.run(ask));

    expect(expectWellFormed(events).state).toBe("done");
    expect(dataText(events)).toBe("final.");
    expect(generator.of("final_answer")).toHaveLength(3);
    expect(retries.map((r) => [r.target, r.stage])).toEqual([
      ["generate", "final_answer"],
      ["generate", "final_answer"],
    ]);
  });

  it("aborts the signal of a failed generation attempt before retrying", async () => {
    const generator = scriptedGenerator((call, req) =>
      req.purpose === "first_answer" && call === 0 ? failing(new UnavailableError("gone")) : chunks("ok"),
    );
    await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask));
    expect(generator.calls[0]?.opts.signal.aborted).toBe(true);
  });
});

describe("KBAlign.run: deadline, cancellation and unexpected errors", () => {
  it("ends with TIMEOUT by timeoutMs when the first recall hangs and ignores its signal", async () => {
    const retriever = scriptedRetriever(() => new Promise<never>(() => undefined));
    const started = Date.now();
    const events = await collect(new KBAlign(retriever.port, answering().port, fast).run({ ...ask, timeoutMs: 200 }));
    const elapsed = Date.now() - started;

    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["error"]);
    expect(last).toMatchObject({ state: "error", code: "TIMEOUT", retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(200 + 300);
    expect(retriever.calls[0]?.opts.signal.aborted).toBe(true);
  });

  it("answers extractively before the deadline when the final generation hangs and ignores its signal", async () => {
    const generator = scriptedGenerator((_, req) => (req.purpose === "final_answer" ? hanging() : chunks("draft")));
    const started = Date.now();
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run({ ...ask, timeoutMs: 400 }));
    const elapsed = Date.now() - started;

    const last = expectWellFormed(events);
    expect(last.state).toBe("done");
    expect(elapsed).toBeLessThan(400);
    expect(asDone(last).degraded).toMatchObject([{ stage: "final_answer", code: "TIMEOUT", fallback: "extractive answer from the recalled documents" }]);
    expect(dataText(events)).toContain("waggle dance");
    expect(generator.of("final_answer")[0]?.opts.signal.aborted).toBe(true);
  });

  it("keeps time for an answer when every generation is silent: done before the deadline, both stages degraded", async () => {
    const generator = scriptedGenerator((_, __, opts) => untilAborted(opts.signal));
    const started = Date.now();
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run({ ...ask, timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(300);
    const last = expectWellFormed(events);
    expect(states(events)).toEqual(["recall", "data", "done"]);
    expect(asDone(last).degraded.map((d) => [d.stage, d.code])).toEqual([
      ["first_answer", "TIMEOUT"],
      ["final_answer", "TIMEOUT"],
    ]);
  });

  it("gives up on a generation with no first chunk within firstChunkTimeoutMs, long before the deadline", async () => {
    const generator = scriptedGenerator((_, req, opts) => (req.purpose === "final_answer" ? untilAborted(opts.signal) : chunks("draft")));
    const started = Date.now();
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, { ...fast, firstChunkTimeoutMs: 50 }).run({ ...ask, timeoutMs: 30_000 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    const last = expectWellFormed(events);
    expect(asDone(last).degraded).toMatchObject([{ stage: "final_answer", code: "TIMEOUT" }]);
    expect(asDone(last).degraded[0]?.message).toContain("no text within");
    const opts = generator.of("final_answer")[0]?.opts;
    expect(opts?.firstChunkBy).toBeGreaterThanOrEqual(started);
    expect(opts?.firstChunkBy).toBeLessThan(started + 5_000);
  });

  it("does not retry past the first-chunk budget: a slow failure is not retried into the fallback's time", async () => {
    const generator = scriptedGenerator((_, req, opts) => (req.purpose === "final_answer" ? untilAborted(opts.signal) : chunks("draft")));
    await collect(new KBAlign(twoRecalls().port, generator.port, { ...fast, firstChunkTimeoutMs: 50, maxRetries: 3 }).run(ask));
    expect(generator.of("final_answer")).toHaveLength(1);
  });

  it("ends with done when the final answer is still streaming near the deadline: what was sent is the answer", async () => {
    async function* chunkThenSilence(signal: AbortSignal) {
      yield "Bees dance. ";
      yield* untilAborted(signal);
    }
    const generator = scriptedGenerator((_, req, opts) => (req.purpose === "final_answer" ? chunkThenSilence(opts.signal) : chunks("draft")));
    const started = Date.now();
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run({ ...ask, timeoutMs: 400 }));
    expect(Date.now() - started).toBeLessThan(400);
    const last = expectWellFormed(events);
    expect(last.state).toBe("done");
    expect(dataText(events)).toBe("Bees dance. ");
    expect(asDone(last).degraded).toMatchObject([{ stage: "final_answer", code: "TIMEOUT", fallback: "answer cut at the deadline" }]);
  });

  it("ends with CANCELLED when the signal aborts, and aborts the generator's signal", async () => {
    const controller = new AbortController();
    const generator = scriptedGenerator((_, req, opts) => (req.purpose === "final_answer" ? untilAborted(opts.signal) : chunks("draft")));
    const events = [];
    for await (const event of new KBAlign(twoRecalls().port, generator.port, fast).run(ask, { signal: controller.signal })) {
      events.push(event);
      if (event.state === "query_expansion_recall") setTimeout(() => controller.abort(), 20);
    }
    const last = expectWellFormed(events);
    expect(last).toMatchObject({ state: "error", code: "CANCELLED", retryable: false });
    expect(generator.of("final_answer")[0]?.opts.signal.aborted).toBe(true);
  });

  it("keeps the caller's kbalign error as the cancel reason", async () => {
    const controller = new AbortController();
    controller.abort(new CancelledError("orchestrator is shutting down"));
    const events = await collect(new KBAlign(twoRecalls().port, answering().port, fast).run(ask, { signal: controller.signal }));
    expect(expectWellFormed(events)).toMatchObject({ code: "CANCELLED", value: "orchestrator is shutting down" });
  });

  it("ends promptly with CANCELLED even when the port ignores its signal", async () => {
    const controller = new AbortController();
    const generator = scriptedGenerator((_, req) => (req.purpose === "final_answer" ? hanging() : chunks("draft")));
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask, { signal: controller.signal }));
    expect(expectWellFormed(events)).toMatchObject({ code: "CANCELLED" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("aborts the ports when the consumer stops reading early", async () => {
    async function* chunkThenWait(signal: AbortSignal) {
      yield "partial";
      yield* untilAborted(signal);
    }
    const generator = scriptedGenerator((_, req, opts) => (req.purpose === "final_answer" ? chunkThenWait(opts.signal) : chunks("draft")));
    for await (const event of new KBAlign(twoRecalls().port, generator.port, fast).run(ask)) {
      if (event.state === "data") break;
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(generator.of("final_answer")[0]?.opts.signal.aborted).toBe(true);
  });

  it("turns a thrown non-kbalign error into INTERNAL without its message", async () => {
    const errors: KBAlignError[] = [];
    const secret = new Error("ENOENT /etc/secret-token");
    const retriever = scriptedRetriever(() => {
      throw secret;
    });
    const kb = new KBAlign(retriever.port, answering().port, fast, { onError: ({ error }) => errors.push(error) });
    const events = await collect(kb.run(ask));
    const last = expectWellFormed(events);
    expect(last).toMatchObject({ state: "error", code: "INTERNAL", retryable: false, value: "internal error" });
    expect(JSON.stringify(events)).not.toContain("secret");
    expect(retriever.calls).toHaveLength(1);
    // The original stays reachable for the logs.
    expect(errors[0]).toBeInstanceOf(InternalError);
    expect(errors[0]?.cause).toBe(secret);
  });

  it("degrades a generator's unexpected error as INTERNAL without its message", async () => {
    const generator = scriptedGenerator((_, req) => (req.purpose === "first_answer" ? failing(new Error("token sk-secret leaked")) : chunks("ok")));
    const events = await collect(new KBAlign(twoRecalls().port, generator.port, fast).run(ask));
    const last = expectWellFormed(events);
    expect(asDone(last).degraded).toEqual([{ stage: "first_answer", code: "INTERNAL", fallback: "skipped query expansion", message: "internal error" }]);
    expect(JSON.stringify(events)).not.toContain("secret");
  });

  it("ends with INTERNAL when a non-kbalign error escapes outside a port", async () => {
    const observer: PipelineObserver = {
      onStage: ({ stage }) => {
        if (stage === "first_answer") throw new TypeError("cannot read secret of undefined");
      },
    };
    const events = await collect(new KBAlign(twoRecalls().port, answering().port, fast, observer).run(ask));
    expect(expectWellFormed(events)).toMatchObject({ state: "error", code: "INTERNAL", value: "internal error" });
    expect(JSON.stringify(events)).not.toContain("secret");
  });
});

describe("KBAlign.run: invalid input", () => {
  const kb = new KBAlign(twoRecalls().port, answering().port, fast);
  const badRequest = async (input: unknown) => {
    const events = await collect(kb.run(input as never));
    expect(events).toHaveLength(1);
    return expectWellFormed(events) as ErrorEvent;
  };

  it.each([
    ["topn", { ...ask, topn: 99 }],
    ["topn", { ...ask, topn: "5" }],
    ["query", { collection: "docs" }],
    ["query", { ...ask, query: "   " }],
    ["collection", { ...ask, collection: "has.dot" }],
    ["messages.0.role", { ...ask, messages: [{ role: "tool", content: "x" }] }],
    ["timeoutMs", { ...ask, timeoutMs: 5 }],
  ])("answers one BAD_REQUEST error event naming %s", async (field, input) => {
    const event = await badRequest(input);
    expect(event).toMatchObject({ state: "error", code: "BAD_REQUEST", retryable: false, field, seq: 0 });
    expect(event.value).toContain(field);
  });

  it("answers BAD_REQUEST for input that is not an object, never throwing", async () => {
    expect(await badRequest(null)).toMatchObject({ code: "BAD_REQUEST" });
    expect(await badRequest("how do bees talk?")).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("keeps the client's requestId on a bad request when it is valid", async () => {
    expect((await badRequest({ ...ask, topn: 0, requestId: "mine-1" })).requestId).toBe("mine-1");
    expect((await badRequest({ ...ask, topn: 0, requestId: "not valid!" })).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("new KBAlign", () => {
  it("rejects ports without their method", () => {
    expect(() => new KBAlign({} as never, answering().port)).toThrow(TypeError);
    expect(() => new KBAlign(twoRecalls().port, {} as never)).toThrow(/generator/);
  });

  it("rejects an invalid config naming the field", () => {
    expect(() => new KBAlign(twoRecalls().port, answering().port, { maxRetries: -1 })).toThrow(/maxRetries/);
  });

  it("exposes the validated, frozen config", () => {
    const kb = new KBAlign(twoRecalls().port, answering().port, { maxRetries: 4 });
    expect(kb.config).toMatchObject({ maxRetries: 4, stream: true, retryBaseDelayMs: 25 });
    expect(Object.isFrozen(kb.config)).toBe(true);
  });
});

describe("exports", () => {
  it("re-exports the error classes under the plan's names", async () => {
    const lib = await import("./index.js");
    expect(new lib.RetrievalError("x")).toBeInstanceOf(lib.KBAlignError);
    expect(new lib.GenerationError("x").code).toBe("GENERATION_FAILED");
  });
});
