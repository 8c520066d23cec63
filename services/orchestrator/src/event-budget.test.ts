import { describe, expect, it } from "vitest";
import { isTerminal, StageEvent } from "@kbalign/contracts";
import { decodeJson, TRUNCATION_MARKER } from "@kbalign/nats";
import { fitEvent } from "./event-budget.js";

const MAX = 8_000;
const decode = (data: Uint8Array) => StageEvent.parse(decodeJson(data));

describe("fitEvent", () => {
  it("sends an event that fits as it is", () => {
    const event: StageEvent = { requestId: "r", seq: 2, state: "data", value: "Bees dance." };
    const fitted = fitEvent(event, MAX);
    expect(fitted).toMatchObject({ fit: "whole", sent: event });
    expect(decode(fitted.data)).toEqual(event);
  });

  it("cuts the longest recall texts, marked, and keeps every doc", () => {
    const docs = [
      { id: "a", score: 3, title: "A" },
      { id: "b", score: 2 },
      { id: "c", score: 1 },
    ];
    const event: StageEvent = { requestId: "r", seq: 0, state: "recall", value: ["a".repeat(20_000), "short text", "c".repeat(5_000)], docs };
    const fitted = fitEvent(event, MAX);
    expect(fitted.fit).toBe("truncated");
    expect(fitted.data.length).toBeLessThanOrEqual(MAX);
    const sent = decode(fitted.data);
    expect(sent).toEqual(fitted.sent);
    expect(sent).toMatchObject({ requestId: "r", seq: 0, state: "recall", docs });
    const texts = sent.value as string[];
    expect(texts[1]).toBe("short text");
    expect(texts[0]!.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(texts[2]!.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it("cuts a long first answer, marked", () => {
    const fitted = fitEvent({ requestId: "r", seq: 1, state: "first_answer", value: "答".repeat(10_000) }, MAX);
    expect(fitted.fit).toBe("truncated");
    expect(fitted.data.length).toBeLessThanOrEqual(MAX);
    expect((decode(fitted.data).value as string).endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it("replaces an event that cannot fit by a small terminal INTERNAL error with the same seq", () => {
    const docs = Array.from({ length: 3 }, (_, i) => ({ id: `d${i}`, score: 1, title: "t".repeat(3_000) }));
    const fitted = fitEvent({ requestId: "r", seq: 0, state: "recall", value: ["x", "y", "z"], docs }, MAX);
    expect(fitted.fit).toBe("replaced");
    const sent = decode(fitted.data);
    expect(isTerminal(sent)).toBe(true);
    expect(sent).toMatchObject({ requestId: "r", seq: 0, state: "error", code: "INTERNAL", retryable: false });
    expect(sent.value).toContain("max_payload");
    expect(fitted.data.length).toBeLessThan(1_000);
  });
});
