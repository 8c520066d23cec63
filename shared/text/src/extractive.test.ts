import { describe, expect, it } from "vitest";
import { extractiveAnswer } from "./extractive.js";

const docs = [
  { text: "Tides are caused by the Moon. The Sun helps a little. Fish swim." },
  { text: "The Moon orbits the Earth every 27 days. Tides follow the Moon." },
];

describe("extractiveAnswer", () => {
  it("picks the sentences that share the question's rarest terms, in reading order", () => {
    expect(extractiveAnswer("What causes tides?", docs, { maxSentences: 2, minRelativeScore: 0 })).toEqual([
      "Tides are caused by the Moon.",
      "Tides follow the Moon.",
    ]);
  });

  it("leaves out sentences far weaker than the best one", () => {
    // "Tides follow the Moon." shares only "tides", in a lower-ranked document.
    expect(extractiveAnswer("What causes tides?", docs, { maxSentences: 2 })).toEqual(["Tides are caused by the Moon."]);
  });

  it("ignores question words, which say nothing of the topic", () => {
    const withWhich = [{ text: "Ganymede is the largest moon. A comet forms a coma, which glows." }];
    expect(extractiveAnswer("Which is the largest moon?", withWhich, { maxSentences: 2 })).toEqual(["Ganymede is the largest moon."]);
  });

  it("prefers the better-ranked document when sentences match equally", () => {
    const ranked = [{ text: "Mars is red." }, { text: "Mars is red too." }];
    expect(extractiveAnswer("red Mars", ranked, { maxSentences: 1 })).toEqual(["Mars is red."]);
  });

  it("respects maxSentences and maxChars", () => {
    expect(extractiveAnswer("moon tides", docs, { maxSentences: 1 })).toHaveLength(1);
    expect(extractiveAnswer("moon tides earth", docs, { maxSentences: 5, maxChars: 40 })).toHaveLength(1);
  });

  it("answers Chinese questions from Chinese sentences", () => {
    const zh = [{ text: "大熊猫生活在四川。它们吃竹子。长城很长。" }];
    expect(extractiveAnswer("大熊猫吃什么？", zh, { maxSentences: 1 })).toEqual(["大熊猫生活在四川。"]);
    expect(extractiveAnswer("熊猫的食物是竹子吗", zh, { maxSentences: 1 })).toEqual(["它们吃竹子。"]);
  });

  it("falls back to the top document's first sentence when nothing matches", () => {
    expect(extractiveAnswer("quantum chromodynamics", docs, { maxSentences: 3 })).toEqual(["Tides are caused by the Moon."]);
  });

  it("never answers with a Markdown heading", () => {
    const md = [{ text: "# Mars and its red colour\n\nMars is red because of iron oxide dust." }];
    expect(extractiveAnswer("Why is Mars red?", md, { maxSentences: 3 })).toEqual(["Mars is red because of iron oxide dust."]);
  });

  it("returns nothing without documents", () => {
    expect(extractiveAnswer("anything", [], { maxSentences: 3 })).toEqual([]);
  });
});
