import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter(" 12 ")).toBe(12_000);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("Mon, 30 Nov 2026 03:00:00 GMT");
    expect(parseRetryAfter("Mon, 30 Nov 2026 03:00:07 GMT", now)).toBe(7_000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 02:59:00 GMT", now)).toBe(0);
  });

  it("ignores an absent or malformed value", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter("-5")).toBeUndefined();
  });
});
