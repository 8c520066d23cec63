import { describe, expect, it } from "vitest";
import { detectLanguage } from "./language.js";
import { splitSentences } from "./sentences.js";
import { tokenize } from "./tokenize.js";

describe("tokenize", () => {
  it("lower-cases, drops English stop words and stems", () => {
    expect(tokenize("The Bees are dancing in the Fields")).toEqual(["bee", "danc", "field"]);
  });

  it("keeps numbers and strips possessives", () => {
    expect(tokenize("Earth's 2 moons")).toEqual(["earth", "2", "moon"]);
  });

  it("segments Chinese text, which has no spaces, into words", () => {
    expect(tokenize("长江是中国最长的河流")).toEqual(["长江", "中国", "最长", "河流"]);
  });

  it("drops Chinese question words, which name no topic", () => {
    expect(tokenize("大熊猫吃什么？")).toEqual(["大熊猫", "吃"]);
  });

  it("handles mixed scripts and full-width characters", () => {
    expect(tokenize("ＮＡＴＳ和长江")).toEqual(["nat", "长江"]);
  });

  it("keeps decimals and inner apostrophes inside one word", () => {
    expect(tokenize("pH 7.5 isn't neutral")).toEqual(["ph", "7.5", "isn't", "neutral"]);
  });

  it("returns nothing for punctuation only", () => {
    expect(tokenize("…！？ -- ,,")).toEqual([]);
  });

  it("gives the same terms again from memory, for remembered and too-long Han runs alike", () => {
    const paragraph = "长江是中国最长的河流".repeat(10); // 100 characters: longer than any remembered run
    for (const text of ["The Bees are dancing", "长江是中国最长的河流", paragraph]) {
      const first = tokenize(text);
      expect(tokenize(text)).toEqual(first);
    }
    expect(tokenize(paragraph).slice(0, 4)).toEqual(["长江", "中国", "最长", "河流"]);
  });

  it("returns a fresh array: changing it changes no later result", () => {
    tokenize("长江是中国最长的河流").push("changed");
    expect(tokenize("长江是中国最长的河流")).toEqual(["长江", "中国", "最长", "河流"]);
  });
});

describe("splitSentences", () => {
  it("splits English sentences", () => {
    expect(splitSentences("Tides rise. They fall! Why? Gravity.")).toEqual(["Tides rise.", "They fall!", "Why?", "Gravity."]);
  });

  it("splits Chinese sentences at full-width marks with no spaces", () => {
    expect(splitSentences("长城很长。它在中国！你去过吗？")).toEqual(["长城很长。", "它在中国！", "你去过吗？"]);
  });
});

describe("splitSentences on hard-wrapped and Markdown text", () => {
  it("keeps a wrapped sentence whole and breaks at blank lines and headings", () => {
    const text = "# Mars\nMars looks red because\nof iron oxide. It is cold.\n\nNext paragraph";
    expect(splitSentences(text)).toEqual(["# Mars", "Mars looks red because of iron oxide.", "It is cold.", "Next paragraph"]);
  });

  it("joins wrapped Chinese lines without a space", () => {
    expect(splitSentences("长江是中国\n最长的河流。")).toEqual(["长江是中国最长的河流。"]);
  });
});

describe("detectLanguage", () => {
  it("tells Chinese from English", () => {
    expect(detectLanguage("长江有多长？")).toBe("zh");
    expect(detectLanguage("How long is the Yangtze?")).toBe("en");
    expect(detectLanguage("NATS 是什么？")).toBe("zh");
  });
});
