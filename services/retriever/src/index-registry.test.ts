import { describe, expect, it } from "vitest";
import { IndexRegistry } from "./index-registry.js";

describe("IndexRegistry", () => {
  it("keeps one index per collection and counts documents per collection", () => {
    const registry = new IndexRegistry();
    expect(registry.get("docs")).toBeUndefined();
    registry.getOrCreate("docs").upsert({ id: "1", text: "tides moon" });
    registry.getOrCreate("docs").upsert({ id: "2", text: "bees dance" });
    registry.getOrCreate("docs").upsert({ id: "1", text: "tides sun" });
    registry.getOrCreate("faq").upsert({ id: "1", text: "bees dance" });
    expect(registry.get("docs")).toBe(registry.getOrCreate("docs"));
    expect(registry.documentCounts()).toEqual({ docs: 2, faq: 1 });
    expect(registry.totalDocuments).toBe(3);
    // Same id in two collections: two documents, searched separately.
    expect(registry.get("faq")!.search("moon sun", 5)).toEqual([]);
  });

  it("builds every index with its BM25 parameters", () => {
    const registry = new IndexRegistry({ k1: 1.2, b: 0.75 });
    expect(registry.getOrCreate("docs")).toMatchObject({ parameters: { k1: 1.2, b: 0.75 } });
  });

  it("serves version 1 until told otherwise, then the current version, while any held version stays reachable by number", () => {
    const registry = new IndexRegistry();
    registry.getOrCreate("docs", 1).upsert({ id: "old", text: "tides moon" });
    registry.getOrCreate("docs", 2).upsert({ id: "new", text: "tides sun" });
    expect(registry.resolve("docs")).toMatchObject({ version: 1 });
    expect(registry.get("docs")!.has("old")).toBe(true);
    registry.setCurrent("docs", 2);
    expect(registry.resolve("docs")).toMatchObject({ version: 2 });
    expect(registry.get("docs")!.has("new")).toBe(true);
    expect(registry.resolve("docs", 1)!.index.has("old")).toBe(true);
    expect(registry.resolve("docs", 3)).toBeUndefined();
    expect(registry.versions("docs")).toEqual([1, 2]);
    expect(registry.documentCounts()).toEqual({ docs: 1 });
    expect(registry.totalDocuments).toBe(2);
  });

  it("takes over a rebuilt registry whole", () => {
    const live = new IndexRegistry();
    live.getOrCreate("gone").upsert({ id: "1", text: "stale" });
    const rebuilt = new IndexRegistry();
    rebuilt.getOrCreate("docs", 3).upsert({ id: "1", text: "fresh" });
    rebuilt.setCurrent("docs", 3);
    live.replaceWith(rebuilt);
    expect(live.get("gone")).toBeUndefined();
    expect(live.resolve("docs")).toMatchObject({ version: 3 });
  });
});
