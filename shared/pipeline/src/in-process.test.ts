import { describe, expect, it } from "vitest";
import { CollectionNotFoundError } from "@kbalign/contracts";
import { Bm25Index } from "@kbalign/search";
import { createInProcessGenerator, createInProcessRetriever } from "./in-process.js";
import { KBAlign } from "./kbalign.js";

const corpus = {
  en: [
    { id: "bees", title: "Honey bees", text: "Honey bees communicate with a waggle dance. The dance shows the direction of flowers." },
    { id: "tides", title: "Tides", text: "Tides are caused by the Moon. Spring tides are the highest." },
    { id: "bread", text: "Yeast makes bread rise. Kneading develops gluten." },
  ],
  zh: [
    { id: "panda", text: "大熊猫主要生活在四川。大熊猫的食物几乎全部是竹子。" },
    { id: "tea", text: "绿茶不经过发酵。红茶是全发酵茶。" },
  ],
};
const open = () => ({ signal: new AbortController().signal, timeoutMs: 1_000 });

describe("createInProcessRetriever", () => {
  const retriever = createInProcessRetriever(corpus);

  it("ranks the documents sharing the query's terms, best first, at most topn", async () => {
    const docs = await retriever.retrieve({ collection: "en", query: "how do bees dance?", topn: 5 }, open());
    expect(docs.map((d) => d.id)).toEqual(["bees"]);
    expect(docs[0]).toMatchObject({ title: "Honey bees", text: corpus.en[0]!.text });
    const two = await retriever.retrieve({ collection: "en", query: "bees moon bread", topn: 2 }, open());
    expect(two).toHaveLength(2);
  });

  it("segments Chinese queries", async () => {
    const docs = await retriever.retrieve({ collection: "zh", query: "大熊猫吃什么？", topn: 5 }, open());
    expect(docs[0]?.id).toBe("panda");
  });

  it("ranks exactly as the retriever service's index, scores and expansion included", async () => {
    const index = new Bm25Index();
    for (const doc of corpus.en) index.upsert(doc);
    const expansion = { text: "The dance shows the direction of flowers and gluten.", weight: 0.3, maxTerms: 3 };
    for (const query of ["how do bees dance?", "moon tides bread"]) {
      const docs = await retriever.retrieve({ collection: "en", query, topn: 3, expansion }, open());
      expect(docs).toEqual(index.search({ text: query, expansion }, 3));
      expect(docs.length).toBeGreaterThan(0);
    }
  });

  it("keeps collections apart and refuses unknown ones", async () => {
    expect(await retriever.retrieve({ collection: "zh", query: "bees", topn: 5 }, open())).toEqual([]);
    await expect(retriever.retrieve({ collection: "nope", query: "bees", topn: 5 }, open())).rejects.toBeInstanceOf(CollectionNotFoundError);
  });
});

describe("createInProcessGenerator", () => {
  it("streams the documents' best sentences as chunks", async () => {
    const generator = createInProcessGenerator({ maxSentences: 2 });
    const chunks: string[] = [];
    const documents = corpus.en.map((d, i) => ({ ...d, score: 3 - i }));
    for await (const chunk of generator.generate({ purpose: "final_answer", query: "bees dance direction", messages: [], documents }, { signal: new AbortController().signal, deadline: Date.now() + 1_000 })) {
      chunks.push(chunk);
    }
    // The best sentence leads ("bees" is the title's word, so "dance direction" decides); the next one keeps its space.
    expect(chunks).toEqual(["The dance shows the direction of flowers.", " Honey bees communicate with a waggle dance."]);
  });

  it("stops when its signal aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const iterator = createInProcessGenerator().generate(
      { purpose: "final_answer", query: "bees", messages: [], documents: [{ id: "b", score: 1, text: "Bees dance." }] },
      { signal: controller.signal, deadline: Date.now() + 1_000 },
    );
    await expect(iterator[Symbol.asyncIterator]().next()).rejects.toThrow("stop");
  });
});

describe("KBAlign over the in-process ports", () => {
  it("answers with no server at all", async () => {
    const kb = new KBAlign(createInProcessRetriever(corpus), createInProcessGenerator());
    const states: string[] = [];
    let answer = "";
    for await (const event of kb.run({ query: "How do honey bees communicate?", collection: "en" })) {
      states.push(event.state);
      if (event.state === "data") answer += event.value;
    }
    expect(states[0]).toBe("recall");
    expect(states.at(-1)).toBe("done");
    expect(answer).toContain("waggle dance");
  });
});

describe("an embedded KBAlign answers with its subject", () => {
  it("keeps Kilimanjaro in the answer to which mountain is the highest in Africa", async () => {
    const kilimanjaro = {
      id: "kili",
      text: "Kilimanjaro is a dormant volcano in Tanzania. Its summit, Uhuru Peak, rises 5,895 metres above sea level, making it the highest mountain in Africa.",
    };
    const other = { id: "nile", text: "The Nile is the longest river in Africa. It flows north into the Mediterranean." };
    const kb = new KBAlign(createInProcessRetriever({ geo: [kilimanjaro, other] }), createInProcessGenerator(), { stream: false });
    let answer = "";
    for await (const event of kb.run({ query: "Which mountain is the highest in Africa?", collection: "geo", topn: 2 })) {
      if (event.state === "data") answer += event.value;
    }
    expect(answer.startsWith("Kilimanjaro is a dormant volcano in Tanzania. Its summit, Uhuru Peak, rises 5,895 metres")).toBe(true);
  });
});
