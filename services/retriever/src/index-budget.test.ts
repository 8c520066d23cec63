import { describe, expect, it } from "vitest";
import { documentBytes, IndexBudget } from "./index-budget.js";

describe("IndexBudget", () => {
  it("admits documents up to the byte limit and refuses the one that would pass it", () => {
    const budget = new IndexBudget({ maxTextBytes: 100, maxDocumentsPerCollection: 10 });
    expect(budget.admit("a", "1", 60)).toEqual({ ok: true });
    expect(budget.admit("b", "1", 40)).toEqual({ ok: true });
    expect(budget.admit("a", "2", 1)).toEqual({ ok: false, reason: "index_bytes" });
    expect(budget.textBytes).toBe(100);
  });

  it("weighs a replacement by its difference with the version it replaces", () => {
    const budget = new IndexBudget({ maxTextBytes: 100, maxDocumentsPerCollection: 10 });
    budget.admit("a", "1", 90);
    expect(budget.admit("a", "1", 95)).toEqual({ ok: true });
    expect(budget.textBytes).toBe(95);
    expect(budget.admit("a", "1", 101)).toEqual({ ok: false, reason: "index_bytes" });
    expect(budget.textBytes).toBe(95);
  });

  it("caps the documents of one collection, not the others, and still takes replacements at the cap", () => {
    const budget = new IndexBudget({ maxTextBytes: 1_000, maxDocumentsPerCollection: 2 });
    budget.admit("a", "1", 1);
    budget.admit("a", "2", 1);
    expect(budget.admit("a", "3", 1)).toEqual({ ok: false, reason: "collection_documents" });
    expect(budget.admit("a", "2", 5)).toEqual({ ok: true });
    expect(budget.admit("b", "1", 1)).toEqual({ ok: true });
  });

  it("gives a deleted document's bytes back", () => {
    const budget = new IndexBudget({ maxTextBytes: 10, maxDocumentsPerCollection: 1 });
    budget.admit("a", "1", 10);
    budget.release("a", "1");
    budget.release("a", "unknown");
    expect(budget.textBytes).toBe(0);
    expect(budget.admit("a", "2", 10)).toEqual({ ok: true });
  });

  it("weighs text and title in UTF-8 bytes", () => {
    expect(documentBytes({ text: "长江", title: "ab" })).toBe(8);
    expect(documentBytes({ text: "abc" })).toBe(3);
  });
});
