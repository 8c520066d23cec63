import { describe, expect, it } from "vitest";
import { CancelledError, GenerateRequest, type GenerateRequestInput } from "@kbalign/contracts";
import { chineseCorpus, englishCorpus } from "@kbalign/testing";
import { defaultExtractiveLimits, extractiveChunks } from "@kbalign/text";
import { createExtractiveBackend, noDocumentsAnswer } from "./extractive.js";

const docs = (corpus: typeof englishCorpus) => corpus.map((d, i) => ({ id: d.id, score: 10 - i, title: d.title, text: d.text }));

const request = (overrides: Partial<GenerateRequestInput>): GenerateRequest =>
  GenerateRequest.parse({ streamId: "s", purpose: "final_answer", query: "q", documents: [], deadline: Date.now() + 10_000, ...overrides });

async function collect(gen: AsyncGenerator<string, string, undefined>): Promise<{ pieces: string[]; finish: string }> {
  const pieces: string[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { pieces, finish: next.value };
    pieces.push(next.value);
  }
}

describe("extractive backend", () => {
  const backend = createExtractiveBackend();

  it("answers with the same words as the in-process generator, the antecedent of an 'Its …' sentence included", async () => {
    const documents = [
      {
        id: "kili",
        score: 1,
        text: "Kilimanjaro is a dormant volcano in Tanzania. Its summit, Uhuru Peak, rises 5,895 metres above sea level, making it the highest mountain in Africa.",
      },
    ];
    const req = request({ query: "Which mountain is the highest in Africa?", documents });
    const { pieces } = await collect(backend.generate(req, new AbortController().signal));
    expect(pieces).toEqual(extractiveChunks(req.query, documents, defaultExtractiveLimits.final_answer));
    expect(pieces.join("")).toMatch(/^Kilimanjaro is a dormant volcano in Tanzania\. Its summit/);
  });

  it("answers in English from the documents' sentences, one sentence per piece, joined by spaces", async () => {
    const documents = [{ id: "b", score: 1, text: "Bees dance at dawn. Cats sleep all day. Bees dance at dusk." }];
    const req = request({ query: "When do bees dance?", documents });
    const { pieces, finish } = await collect(backend.generate(req, new AbortController().signal));
    expect(finish).toBe("stop");
    expect(pieces).toEqual(["Bees dance at dawn.", " Bees dance at dusk."]);
  });

  it("answers in Chinese from Chinese documents, joined with no spaces", async () => {
    const req = request({ query: "大熊猫的食物是什么？", documents: docs(chineseCorpus) });
    const { pieces } = await collect(backend.generate(req, new AbortController().signal));
    const answer = pieces.join("");
    expect(answer).toContain("竹子");
    expect(answer).not.toContain(" ");
    expect(pieces.length).toBeGreaterThan(0);
  });

  it("keeps the first answer shorter than the final one", async () => {
    const documents = [{ id: "t", score: 1, text: "Tides rise. Tides fall. Tides turn. Tides ebb. Tides flow. Tides return." }];
    const query = "What do tides do?";
    const first = await collect(backend.generate(request({ purpose: "first_answer", query, documents }), new AbortController().signal));
    const final = await collect(backend.generate(request({ purpose: "final_answer", query, documents }), new AbortController().signal));
    expect(first.pieces.length).toBeLessThanOrEqual(2);
    expect(first.pieces.join("").length).toBeLessThanOrEqual(400);
    expect(final.pieces.length).toBeGreaterThan(first.pieces.length);
  });

  it("honours configured limits", async () => {
    const small = createExtractiveBackend({ first_answer: { maxSentences: 1, maxChars: 400 }, final_answer: { maxSentences: 1, maxChars: 400 } });
    const { pieces } = await collect(small.generate(request({ query: "tides moon sun", documents: docs(englishCorpus) }), new AbortController().signal));
    expect(pieces).toHaveLength(1);
  });

  it("stops adding sentences past a request's maxChars", async () => {
    const documents = [{ id: "t", score: 1, text: "Tides rise twice a day. Tides fall twice a day. Tides turn with the moon." }];
    const query = "What do tides do?";
    const full = await collect(backend.generate(request({ query, documents }), new AbortController().signal));
    const capped = await collect(backend.generate(request({ query, documents, maxChars: 30 }), new AbortController().signal));
    expect(full.pieces.length).toBeGreaterThan(1);
    expect(capped.pieces).toEqual(full.pieces.slice(0, 1));
  });

  it("says there are no relevant documents, in the query's language", async () => {
    const en = await collect(backend.generate(request({ query: "What is a quasar?" }), new AbortController().signal));
    const zh = await collect(backend.generate(request({ query: "类星体是什么？" }), new AbortController().signal));
    expect(en.pieces).toEqual([noDocumentsAnswer.en]);
    expect(zh.pieces).toEqual([noDocumentsAnswer.zh]);
  });

  it("stops when its signal aborts", async () => {
    const controller = new AbortController();
    const gen = backend.generate(request({ query: "tides moon sun", documents: docs(englishCorpus) }), controller.signal);
    await gen.next();
    controller.abort(new CancelledError("stop"));
    await expect(gen.next()).rejects.toBeInstanceOf(CancelledError);
  });
});
