import { describe, expect, it } from "vitest";
import { analyseSentences, titleTerms } from "./sentence-terms.js";
import { splitSentences } from "./sentences.js";
import { tokenize } from "./tokenize.js";

describe("analyseSentences", () => {
  it("gives each sentence of a document with its terms, headings marked", () => {
    const text = "# Tides\nTides rise twice a day. The Moon pulls the sea.";
    expect(analyseSentences(text)).toEqual(
      splitSentences(text).map((sentence) => ({ text: sentence, terms: [...new Set(tokenize(sentence))], heading: sentence.startsWith("# ") })),
    );
    expect(analyseSentences(text).map((s) => s.heading)).toEqual([true, false, false]);
  });

  it("remembers a document it has seen", () => {
    const text = "长江是中国最长的河流。它流入东海。";
    expect(analyseSentences(text)).toBe(analyseSentences(text));
  });

  it("analyses a very long document afresh each time instead of remembering it", () => {
    const text = "Bees dance. ".repeat(2_000);
    const first = analyseSentences(text);
    expect(first).toHaveLength(2_000);
    expect(analyseSentences(text)).not.toBe(first);
    expect(analyseSentences(text)).toEqual(first);
  });
});

describe("titleTerms", () => {
  it("gives a title's terms as tokenize finds them, and none for no title", () => {
    expect([...titleTerms("The Tides of the Moon")]).toEqual([...new Set(tokenize("The Tides of the Moon"))]);
    expect(titleTerms(undefined).size).toBe(0);
    expect(titleTerms("").size).toBe(0);
  });

  it("remembers a title it has seen", () => {
    expect(titleTerms("长江")).toBe(titleTerms("长江"));
  });
});
