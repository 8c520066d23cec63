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
});
