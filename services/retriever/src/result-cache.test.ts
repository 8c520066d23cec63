import { describe, expect, it } from "vitest";
import type { Document, RetrieveRequest } from "@kbalign/contracts";
import { RetrieveResultCache } from "./result-cache.js";

const request: RetrieveRequest = { collection: "docs", query: "tides", topn: 5 };
const ranking = (id: string): Document[] => [{ id, score: 1, text: `text of ${id}` }];

function counted(options: { maxEntries: number; maxBytes: number }) {
  const counts = { hits: 0, misses: 0 };
  const cache = new RetrieveResultCache({ ...options, onHit: () => counts.hits++, onMiss: () => counts.misses++ });
  return { cache, counts };
}

describe("RetrieveResultCache", () => {
  it("answers a repeated request from the cache, counting a miss then a hit", () => {
    const { cache, counts } = counted({ maxEntries: 10, maxBytes: 1 << 20 });
    let ranked = 0;
    const rank = () => (ranked++, ranking("a"));
    const first = cache.rank(request, 1, rank);
    expect(cache.rank({ ...request }, 1, rank)).toBe(first);
    expect(ranked).toBe(1);
    expect(counts).toEqual({ hits: 1, misses: 1 });
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("ranks afresh at another generation of the collection", () => {
    const { cache } = counted({ maxEntries: 10, maxBytes: 1 << 20 });
    cache.rank(request, 1, () => ranking("old"));
    expect(cache.rank(request, 2, () => ranking("new"))[0]!.id).toBe("new");
  });

  it("tells apart requests differing in any field that decides the ranking", () => {
    const { cache, counts } = counted({ maxEntries: 100, maxBytes: 1 << 20 });
    const expansion = { text: "the moon pulls", weight: 0.5, maxTerms: 10 };
    const variants: RetrieveRequest[] = [
      request,
      { ...request, collection: "other" },
      { ...request, query: "tide" },
      { ...request, topn: 4 },
      { ...request, expansion },
      { ...request, expansion: { ...expansion, text: "the sun pulls" } },
      { ...request, expansion: { ...expansion, weight: 0.25 } },
      { ...request, expansion: { ...expansion, maxTerms: 5 } },
      { ...request, expansion: { ...expansion, fusion: "rrf" } },
    ];
    variants.forEach((variant, i) => expect(cache.rank(variant, 1, () => ranking(`v${i}`))[0]!.id).toBe(`v${i}`));
    expect(counts).toEqual({ hits: 0, misses: variants.length });
  });

  it("keeps at most maxEntries rankings, the least recently used out first", () => {
    const { cache } = counted({ maxEntries: 2, maxBytes: 1 << 20 });
    cache.rank({ ...request, query: "a" }, 1, () => ranking("a"));
    cache.rank({ ...request, query: "b" }, 1, () => ranking("b"));
    cache.rank({ ...request, query: "a" }, 1, () => ranking("a2"));
    cache.rank({ ...request, query: "c" }, 1, () => ranking("c"));
    expect(cache.size).toBe(2);
    expect(cache.rank({ ...request, query: "a" }, 1, () => ranking("a3"))[0]!.id).toBe("a");
    expect(cache.rank({ ...request, query: "b" }, 1, () => ranking("b2"))[0]!.id).toBe("b2");
  });

  it("stays within its byte budget", () => {
    const { cache } = counted({ maxEntries: 1_000, maxBytes: 4_096 });
    for (let i = 0; i < 100; i++) cache.rank({ ...request, query: `q${i}` }, 1, () => [{ id: `d${i}`, score: 1, text: "x".repeat(500) }]);
    // An entry of one 500-character document is counted at more than 1 KiB.
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThanOrEqual(4);
  });

  it("with 0 entries is off: ranks every time and counts nothing", () => {
    const { cache, counts } = counted({ maxEntries: 0, maxBytes: 1 << 20 });
    let ranked = 0;
    cache.rank(request, 1, () => (ranked++, ranking("a")));
    cache.rank(request, 1, () => (ranked++, ranking("a")));
    expect(ranked).toBe(2);
    expect(counts).toEqual({ hits: 0, misses: 0 });
    expect(cache.size).toBe(0);
  });
});
