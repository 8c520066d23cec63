import { describe, expect, it } from "vitest";
import type { Document } from "@kbalign/contracts";
import { encodeJson, TRUNCATION_MARKER } from "@kbalign/nats";
import { fitDocuments } from "./reply-budget.js";

const doc = (id: string, chars: number, score: number): Document => ({ id, score, title: id, text: "x".repeat(chars) });
const replyBytes = (docs: Document[]) => encodeJson({ docs }).length;

describe("fitDocuments", () => {
  it("keeps every document when the reply fits", () => {
    const docs = [doc("a", 100, 3), doc("b", 100, 2)];
    expect(fitDocuments(docs, 10_000)).toEqual({ docs, dropped: 0, truncated: false });
  });

  it("keeps the best whole documents that fit, dropping the lowest ranked", () => {
    const docs = [doc("a", 30_000, 3), doc("b", 30_000, 2), doc("c", 30_000, 1)];
    const fitted = fitDocuments(docs, 61_440);
    expect(fitted.docs.map((d) => d.id)).toEqual(["a", "b"]);
    expect(fitted.docs).toEqual(docs.slice(0, 2));
    expect(fitted).toMatchObject({ dropped: 1, truncated: false });
    expect(replyBytes(fitted.docs)).toBeLessThanOrEqual(61_440);
  });

  it("cuts the best document's text, marked, when it alone does not fit", () => {
    const fitted = fitDocuments([doc("a", 100_000, 3), doc("b", 10, 2)], 61_440);
    expect(fitted).toMatchObject({ dropped: 1, truncated: true });
    expect(fitted.docs[0]!.text.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(replyBytes(fitted.docs)).toBeLessThanOrEqual(61_440);
    expect(replyBytes(fitted.docs)).toBeGreaterThan(60_000);
  });
});
