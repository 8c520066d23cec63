import { describe, expect, it } from "vitest";
import { checkRequestLimits, PROTOCOL_REQUEST_LIMITS } from "./request-limits.js";

const limits = { maxQueryChars: 10, maxHistoryMessages: 2, maxMessageChars: 5, maxTopn: 3 };
const ok = { query: "bees?", messages: [{ role: "user" as const, content: "hi" }], topn: 3 };

describe("checkRequestLimits", () => {
  it("accepts a request within every limit, and anything the protocol allows by default", () => {
    expect(checkRequestLimits(ok, limits)).toBeUndefined();
    expect(checkRequestLimits({ query: "q".repeat(8_000), messages: [], topn: 50 }, PROTOCOL_REQUEST_LIMITS)).toBeUndefined();
  });

  it.each([
    ["query", { ...ok, query: "q".repeat(11) }, /query is 11 characters, more than the limit of 10/],
    ["messages", { ...ok, messages: [...ok.messages, ...ok.messages, ...ok.messages] }, /3 messages, more than the limit of 2/],
    ["messages.1.content", { ...ok, messages: [...ok.messages, { role: "assistant" as const, content: "toolong" }] }, /limit of 5 characters/],
    ["topn", { ...ok, topn: 4 }, /topn is 4, more than the limit of 3/],
  ])("refuses %s over its limit with BAD_REQUEST naming it", (field, request, message) => {
    const error = checkRequestLimits(request, limits);
    expect(error).toMatchObject({ code: "BAD_REQUEST", field });
    expect(error?.message).toMatch(message);
  });
});
