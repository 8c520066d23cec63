import { describe, expect, it } from "vitest";
import { CollectionNotFoundError } from "@kbalign/contracts";
import { englishCorpus } from "@kbalign/testing";
import { IndexRegistry } from "./index-registry.js";
import { createRetrieveHandler } from "./retrieve-handler.js";
import { RetrieveResultCache } from "./result-cache.js";

describe("createRetrieveHandler", () => {
  const indexes = new IndexRegistry();
  for (const doc of englishCorpus) indexes.getOrCreate("docs").upsert(doc);
  indexes.getOrCreate("empty");
  const handle = createRetrieveHandler({ indexes });

  it("returns the topn best documents of the collection with id, score, title and text", async () => {
    const { docs } = await handle({ collection: "docs", query: "what makes bread rise", topn: 2 });
    expect(docs).toHaveLength(2);
    const bread = englishCorpus.find((d) => d.id === "en-bread")!;
    expect(docs[0]).toEqual({ id: "en-bread", title: bread.title, text: bread.text, score: expect.any(Number) });
    expect(docs[0]!.score).toBeGreaterThan(docs[1]!.score);
  });

  it("answers an empty list when no term matches", async () => {
    await expect(handle({ collection: "docs", query: "quantum chromodynamics", topn: 5 })).resolves.toEqual({ docs: [], kbVersion: 1 });
  });

  it("refuses an unknown or empty collection", async () => {
    await expect(handle({ collection: "nope", query: "bread", topn: 5 })).rejects.toBeInstanceOf(CollectionNotFoundError);
    await expect(handle({ collection: "empty", query: "bread", topn: 5 })).rejects.toThrow("collection 'empty' not found");
  });

  it("never answers from the cache once the collection has changed", async () => {
    const registry = new IndexRegistry();
    const index = registry.getOrCreate("kb");
    index.upsert({ id: "tides", text: "The Moon raises the tides." });
    index.upsert({ id: "sun", text: "The Sun warms the sea." });
    let hits = 0;
    const cached = createRetrieveHandler({
      indexes: registry,
      cache: new RetrieveResultCache({ maxEntries: 100, maxBytes: 1 << 20, onHit: () => hits++ }),
    });
    const uncached = createRetrieveHandler({ indexes: registry });
    const ask = { collection: "kb", query: "what raises the tides", topn: 5 };

    expect((await cached(ask)).docs.map((d) => d.id)).toEqual(["tides"]);
    expect((await cached(ask)).docs.map((d) => d.id)).toEqual(["tides"]);
    expect(hits).toBe(1);

    // A new document that matches better, then a replaced text: each answer is the index's own.
    index.upsert({ id: "spring", text: "Spring tides: the Moon and the Sun together raise the highest tides." });
    expect(await cached(ask)).toEqual(await uncached(ask));
    expect((await cached(ask)).docs.map((d) => d.id)).toContain("spring");
    index.upsert({ id: "tides", text: "Winds push waves." });
    const afterReplace = await cached(ask);
    expect(afterReplace).toEqual(await uncached(ask));
    expect(afterReplace.docs.find((d) => d.id === "tides")).toBeUndefined();
    expect(hits).toBe(2);

    // A deleted document, then a switch to another version of the collection.
    index.remove("spring");
    expect(await cached(ask)).toEqual(await uncached(ask));
    expect((await cached(ask)).docs.find((d) => d.id === "spring")).toBeUndefined();
    registry.getOrCreate("kb", 2).upsert({ id: "v2", text: "Version two: the Moon raises the tides." });
    registry.setCurrent("kb", 2);
    expect((await cached(ask)).docs.map((d) => d.id)).toEqual(["v2"]);
    expect(await cached(ask)).toEqual(await uncached(ask));
    expect(hits).toBe(4);
  });

  it("ranks the version a request names, and says which version ranked", async () => {
    const versioned = new IndexRegistry();
    versioned.getOrCreate("kb", 1).upsert({ id: "old", text: "bread rises with yeast" });
    versioned.getOrCreate("kb", 2).upsert({ id: "new", text: "bread rises with sourdough" });
    versioned.setCurrent("kb", 2);
    const handleVersioned = createRetrieveHandler({ indexes: versioned });
    expect(await handleVersioned({ collection: "kb", query: "bread", topn: 5 })).toMatchObject({ kbVersion: 2, docs: [{ id: "new" }] });
    expect(await handleVersioned({ collection: "kb", query: "bread", topn: 5, version: 1 })).toMatchObject({ kbVersion: 1, docs: [{ id: "old" }] });
    await expect(handleVersioned({ collection: "kb", query: "bread", topn: 5, version: 9 })).rejects.toThrow("version 9 of collection 'kb' not found");
  });
});

