import { describe, expect, it } from "vitest";
import { asciiSentences, PRINTABLE_ASCII } from "./ascii-sentences.js";
import { splitSentences } from "./sentences.js";

const segmenter = new Intl.Segmenter("zh", { granularity: "sentence" });
const byIcu = (text: string) => Array.from(segmenter.segment(text), ({ segment }) => segment);

describe("asciiSentences", () => {
  let seed = 17;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);

  it("splits random ASCII text where ICU's sentence segmenter does", () => {
    const alphabets = ["aB1 .?!\"')(", "Ab .,;:-\t", "xY9 .!?'\")]}([{ ,-", "abcXYZ019 .?!,;:-\"'()[]{}#$%&*+/<=>@\\^_`|~\t"];
    for (const alphabet of alphabets) {
      for (let n = 0; n < 5_000; n++) {
        const text = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join("");
        expect(asciiSentences(text), JSON.stringify(text)).toEqual(byIcu(text));
      }
    }
  });

  it("splits random sentences of abbreviations, decimals, quotes and brackets where ICU does", () => {
    const words = ["The", "cell", "U.S.", "e.g.", "3.5", "fig.", "(see", "above).", '"Why?"', "no!", "Dr.", "al.", "p<0.05.", "[1].", "i.e.,", "-", "x:", "A.", "b."];
    for (let n = 0; n < 10_000; n++) {
      const text = Array.from({ length: next() % 15 }, () => words[next() % words.length]).join(next() % 3 === 0 ? "  " : " ");
      expect(asciiSentences(text), JSON.stringify(text)).toEqual(byIcu(text));
    }
  });

  it("keeps decimals, initials and lower-case continuations inside a sentence, and splits where ICU does", () => {
    // No abbreviation list: "Fig. 2" ends a sentence, as it does in ICU's segmenter.
    const text = "It rose 2.5 times in the U.S. in 2020. Why? See e.g. this (Fig. 2). Done!";
    expect(asciiSentences(text)).toEqual(["It rose 2.5 times in the U.S. in 2020. ", "Why? ", "See e.g. this (Fig. ", "2). ", "Done!"]);
    expect(asciiSentences(text)).toEqual(byIcu(text));
  });

  it("is used for printable ASCII paragraphs only; others keep ICU's segmenter", () => {
    expect(PRINTABLE_ASCII.test("Tides rise.\tThey fall!")).toBe(true);
    expect(PRINTABLE_ASCII.test("长城很长。")).toBe(false);
    expect(splitSentences("Tides rise. They fall! 长城很长。它在中国！")).toEqual(["Tides rise.", "They fall!", "长城很长。", "它在中国！"]);
  });
});
