import { describe, expect, it } from "vitest";
import { HEADER_VALUE_MAX_CHARS, toHeaderValue } from "./header-value.js";

describe("toHeaderValue", () => {
  it("keeps a plain one-line text as it is", () => {
    expect(toHeaderValue("collection 'x' not found")).toBe("collection 'x' not found");
  });

  it("turns CR, LF, tabs and other control runs into single spaces", () => {
    expect(toHeaderValue("upstream said:\r\n\r\n  rate\tlimited\u0000\u2028now\n")).toBe("upstream said: rate limited now");
  });

  it("caps a long text with an ellipsis, never splitting a surrogate pair", () => {
    const capped = toHeaderValue("x".repeat(HEADER_VALUE_MAX_CHARS - 2) + "😀😀😀");
    expect(capped.length).toBeLessThanOrEqual(HEADER_VALUE_MAX_CHARS);
    expect(capped.endsWith("…")).toBe(true);
    expect(capped).not.toMatch(/[\ud800-\udbff]…$/);
    expect(toHeaderValue("y".repeat(10_000))).toHaveLength(HEADER_VALUE_MAX_CHARS);
  });
});
