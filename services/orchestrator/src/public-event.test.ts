import { describe, expect, it } from "vitest";
import type { StageEvent } from "@kbalign/contracts";
import { toPublicEvent } from "./public-event.js";

const leaky = "LLM https://10.0.0.7:8443/v1 answered 500: {\"error\":\"quota of org-91 exceeded\"}";

describe("toPublicEvent", () => {
  it("replaces a degradation's internal text with a public message, keeping stage, code and fallback", () => {
    const done: StageEvent = {
      requestId: "r",
      seq: 4,
      state: "done",
      value: "",
      timingsMs: { total: 12 },
      degraded: [{ stage: "final_answer", code: "GENERATION_FAILED", fallback: "extractive answer from the recalled documents", message: leaky }],
    };
    const shown = toPublicEvent(done);
    expect(JSON.stringify(shown)).not.toContain("10.0.0.7");
    expect(shown).toEqual({
      ...done,
      degraded: [{ stage: "final_answer", code: "GENERATION_FAILED", fallback: "extractive answer from the recalled documents", message: "the language model could not produce an answer" }],
    });
  });

  it.each([
    ["RETRIEVAL_FAILED", "retrieval failed: no responders for kbalign.v1.retrieve", "searching the documents failed"],
    ["TIMEOUT", "kbalign.v1.generate did not answer within 3000 ms", "the answer did not come in time"],
    ["UNAVAILABLE", "connect ECONNREFUSED 10.1.2.3:4222", "a service this answer needs is unavailable for now; try again"],
    ["GENERATION_FAILED", leaky, "the language model could not produce an answer"],
    ["INTERNAL", "internal error", "internal error"],
  ] as const)("gives a %s error event a public text", (code, internal, shown) => {
    const event: StageEvent = { requestId: "r", seq: 1, state: "error", code, retryable: true, value: internal };
    expect(toPublicEvent(event)).toEqual({ ...event, value: shown });
  });

  it.each([
    ["BAD_REQUEST", "topn must be at most 50"],
    ["COLLECTION_NOT_FOUND", "collection 'handbook' not found"],
    ["OVERLOADED", "too many requests in flight (limit 64)"],
    ["CANCELLED", "cancelled by the client"],
  ] as const)("keeps the text of %s, composed from the client's own input and kbalign's limits", (code, text) => {
    const event: StageEvent = { requestId: "r", seq: 0, state: "error", code, retryable: false, value: text };
    expect(toPublicEvent(event)).toEqual(event);
  });

  it("leaves other events as they are", () => {
    const data: StageEvent = { requestId: "r", seq: 3, state: "data", value: "chunk" };
    expect(toPublicEvent(data)).toBe(data);
  });
});
