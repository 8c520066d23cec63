import { describe, expect, it } from "vitest";
import { QueryRequest, StageEvent } from "./query.js";
import { collectionOfKbSubject, kbDocumentSubject } from "./subjects.js";

// Golden examples of the public contract (DESIGN.md). A change that breaks one of these breaks
// clients: it needs a v2, not an edit here.
const goldenRequest = {
  query: "What causes tides?",
  collection: "docs",
  messages: [{ role: "user", content: "hi" }],
  topn: 5,
  stream: true,
  requestId: "req-1",
  timeoutMs: 30000,
};
const goldenEvents = [
  { requestId: "req-1", seq: 0, state: "recall", value: ["doc text"], docs: [{ id: "d1", score: 12.3, title: "Tides" }] },
  { requestId: "req-1", seq: 1, state: "first_answer", value: "The Moon." },
  { requestId: "req-1", seq: 2, state: "query_expansion_recall", value: ["doc text"], docs: [{ id: "d1", score: 9.1 }] },
  { requestId: "req-1", seq: 3, state: "data", value: "The Moon's gravity." },
  { requestId: "req-1", seq: 4, state: "done", value: "", timingsMs: { recall: 1, total: 5 }, degraded: [] },
  { requestId: "req-2", seq: 0, state: "error", value: "invalid request: 'topn': too big", code: "BAD_REQUEST", retryable: false, field: "topn" },
];

describe("QueryRequest", () => {
  it("accepts the golden request unchanged", () => {
    expect(QueryRequest.parse(goldenRequest)).toEqual(goldenRequest);
  });

  it("fills defaults and strips unknown keys", () => {
    expect(QueryRequest.parse({ query: "q", collection: "c", extra: 1 })).toEqual({
      query: "q",
      collection: "c",
      messages: [],
      topn: 5,
      stream: true,
      timeoutMs: 30000,
    });
  });

  it.each([
    [{ ...goldenRequest, topn: "5" }, "topn"],
    [{ ...goldenRequest, topn: 51 }, "topn"],
    [{ ...goldenRequest, topn: 0 }, "topn"],
    [{ ...goldenRequest, topn: 2.5 }, "topn"],
    [{ ...goldenRequest, collection: "a.b" }, "collection"],
    [{ ...goldenRequest, collection: "docs >" }, "collection"],
    [{ ...goldenRequest, query: "   " }, "query"],
    [{ ...goldenRequest, messages: [{ role: "robot", content: "x" }] }, "messages.0.role"],
  ])("refuses %j at %s", (body, field) => {
    const result = QueryRequest.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join(".")).toBe(field);
  });
});

describe("StageEvent", () => {
  it.each(goldenEvents)("parses golden $state event unchanged", (event) => {
    expect(StageEvent.parse(event)).toEqual(event);
  });
});

describe("KB subjects", () => {
  it("gives every document id one safe subject token", () => {
    const subject = kbDocumentSubject("docs", "a.b c/*>");
    expect(subject).toMatch(/^kbalign\.v1\.kb\.docs\.[A-Za-z0-9_-]+$/);
    expect(kbDocumentSubject("docs", "a.b c/*>")).toBe(subject);
    expect(kbDocumentSubject("docs", "other")).not.toBe(subject);
    expect(collectionOfKbSubject(subject)).toBe("docs");
    expect(collectionOfKbSubject("kbalign.v1.query")).toBeUndefined();
  });
});
