import { describe, expect, it } from "vitest";
import type { DoneEvent } from "@kbalign/contracts";
import { answering, collect, docsA, docsB, expectWellFormed, scriptedRetriever } from "../test/fakes.js";
import { parseKBAlignConfig } from "./config.js";
import { KBAlign } from "./kbalign.js";

const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };
const ask = { query: "How do bees communicate?", collection: "docs" };

describe("KBAlign.run with a runtime configuration snapshot", () => {
  it("takes topn, the final answer's cap and the prompt from the run's config, and reports its revision", async () => {
    const retriever = scriptedRetriever((call) => (call === 0 ? docsA : docsB));
    const generator = answering();
    const pipeline = new KBAlign(retriever.port, generator.port, fast);
    const config = parseKBAlignConfig({ ...fast, defaultTopn: 7, finalMaxChars: 120, systemPrompt: "Answer tersely." });
    const events = await collect(pipeline.run(ask, { config: { config, revision: 12 } }));
    const done = expectWellFormed(events) as DoneEvent;
    expect(done.configRevision).toBe(12);
    expect(retriever.calls.map((c) => c.req.topn)).toEqual([7, 7]);
    expect(generator.of("final_answer")[0]!.req).toMatchObject({ maxChars: 120, systemPrompt: "Answer tersely." });
    expect(generator.of("first_answer")[0]!.req.maxChars).toBeUndefined();
  });

  it("keeps the constructor's config when a run brings none, and a request's own topn wins", async () => {
    const retriever = scriptedRetriever(() => docsA);
    const pipeline = new KBAlign(retriever.port, answering().port, { ...fast, defaultTopn: 4 });
    const events = await collect(pipeline.run(ask));
    expect((expectWellFormed(events) as DoneEvent).configRevision).toBeUndefined();
    await collect(pipeline.run({ ...ask, topn: 2 }));
    expect(retriever.calls.map((c) => c.req.topn)).toEqual([4, 4, 2, 2]);
  });
});

describe("KBAlign.run over a versioned collection", () => {
  it("asks the second recall for the version that answered the first, and reports it in done", async () => {
    const retriever = scriptedRetriever((call) => ({ docs: call === 0 ? docsA : docsB, kbVersion: call === 0 ? 3 : 3 }));
    const events = await collect(new KBAlign(retriever.port, answering().port, fast).run(ask));
    const done = expectWellFormed(events) as DoneEvent;
    expect(done.kbVersion).toBe(3);
    expect(retriever.calls[0]!.req.version).toBeUndefined();
    expect(retriever.calls[1]!.req.version).toBe(3);
  });

  it("reports no version when the retriever does not say", async () => {
    const retriever = scriptedRetriever(() => docsA);
    const events = await collect(new KBAlign(retriever.port, answering().port, fast).run(ask));
    expect((expectWellFormed(events) as DoneEvent).kbVersion).toBeUndefined();
    expect(retriever.calls[1]!.req.version).toBeUndefined();
  });
});
