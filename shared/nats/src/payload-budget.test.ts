import { describe, expect, it } from "vitest";
import { encodeJson } from "./json.js";
import { bodyBudget, DEFAULT_MAX_PAYLOAD_BYTES, encodeWithinBudget, HEADER_ALLOWANCE_BYTES, splitText, TRUNCATION_MARKER, truncateText } from "./payload-budget.js";

describe("payload budget", () => {
  it("is the server's max_payload less the header allowance, 1 MiB before the server's INFO", () => {
    expect(bodyBudget({ info: undefined })).toBe(DEFAULT_MAX_PAYLOAD_BYTES - HEADER_ALLOWANCE_BYTES);
    expect(bodyBudget({ info: { max_payload: 65_536 } as never })).toBe(65_536 - HEADER_ALLOWANCE_BYTES);
  });

  it("cuts a text with a marker, never half a surrogate pair", () => {
    expect(truncateText("short", 10)).toBe("short");
    expect(truncateText("abcdef", 3)).toBe(`abc${TRUNCATION_MARKER}`);
    expect(truncateText("a😀b", 2)).toBe(`a${TRUNCATION_MARKER}`);
  });

  it("encodes as it is what fits, and cuts texts to the largest cap that fits otherwise", () => {
    const texts = ["a".repeat(5_000), "b".repeat(100), "c".repeat(3_000)];
    const build = (cap: number) => ({ texts: texts.map((t) => truncateText(t, cap)) });
    expect(encodeWithinBudget(build, 5_000, 10_000)?.textCap).toBeUndefined();

    const fitted = encodeWithinBudget(build, 5_000, 4_000)!;
    expect(fitted.data.length).toBeLessThanOrEqual(4_000);
    expect(fitted.data.length).toBeGreaterThan(4_000 - 3 * 3); // the largest cap: one more char each would not fit
    const decoded = JSON.parse(new TextDecoder().decode(fitted.data)) as { texts: string[] };
    expect(decoded.texts[1]).toBe("b".repeat(100));
    expect(decoded.texts[0]).toMatch(/^a+ \[…truncated\]$/);
  });

  it("gives up when what is too large is not text", () => {
    expect(encodeWithinBudget((cap) => ({ id: "x".repeat(5_000), text: truncateText("y".repeat(100), cap) }), 100, 1_000)).toBeUndefined();
  });

  it("splits a text into pieces that each encode within the budget and join back into it", () => {
    expect(splitText("short", 100)).toEqual(["short"]);
    const text = `${"a".repeat(250)}${"答".repeat(100)}😀"\n${"😀".repeat(60)}`;
    const pieces = splitText(text, 100);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces) {
      expect(encodeJson(piece).length).toBeLessThanOrEqual(100);
      expect(piece).not.toMatch(/[\ud800-\udbff]$/);
    }
  });
});
