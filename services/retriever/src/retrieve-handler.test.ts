import { describe, expect, it } from "vitest";
import { CollectionNotFoundError } from "@kbalign/contracts";
import { englishCorpus } from "@kbalign/testing";
import { IndexRegistry } from "./index-registry.js";
import { createRetrieveHandler } from "./retrieve-handler.js";

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
    await expect(handle({ collection: "docs", query: "quantum chromodynamics", topn: 5 })).resolves.toEqual({ docs: [] });
  });

  it("refuses an unknown or empty collection", async () => {
    await expect(handle({ collection: "nope", query: "bread", topn: 5 })).rejects.toBeInstanceOf(CollectionNotFoundError);
    await expect(handle({ collection: "empty", query: "bread", topn: 5 })).rejects.toThrow("collection 'empty' not found");
  });
});
