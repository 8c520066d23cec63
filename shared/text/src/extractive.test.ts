import { describe, expect, it } from "vitest";
import { extractiveAnswer, extractiveChunks } from "./extractive.js";

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
    // "它们" leans on the sentence before it, which comes along.
    expect(extractiveAnswer("熊猫的食物是竹子吗", zh, { maxSentences: 1 })).toEqual(["大熊猫生活在四川。", "它们吃竹子。"]);
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

describe("extractiveAnswer: answers a person can use", () => {
  const kilimanjaro = [
    {
      text:
        "Kilimanjaro is a dormant volcano in Tanzania. Its summit, Uhuru Peak, rises 5,895 metres above sea level, making it the highest mountain in Africa.",
    },
  ];

  it("brings the antecedent of a sentence that opens with a pronoun", () => {
    expect(extractiveAnswer("Which mountain is the highest in Africa?", kilimanjaro, { maxSentences: 1 })).toEqual([
      "Kilimanjaro is a dormant volcano in Tanzania.",
      "Its summit, Uhuru Peak, rises 5,895 metres above sea level, making it the highest mountain in Africa.",
    ]);
  });

  it("brings the title when the anaphoric sentence opens its document", () => {
    const docs = [{ title: "Kilimanjaro", text: "It is the highest mountain in Africa. Many climb it." }];
    expect(extractiveAnswer("highest mountain in Africa", docs, { maxSentences: 1 })).toEqual(["Kilimanjaro:", "It is the highest mountain in Africa."]);
    const zh = [{ title: "长江", text: "它是中国最长的河流。" }];
    expect(extractiveChunks("中国最长的河流", zh, { maxSentences: 1 }).join("")).toBe("长江：它是中国最长的河流。");
  });

  it("does not repeat an antecedent that is already part of the answer", () => {
    expect(extractiveAnswer("Kilimanjaro volcano highest mountain Africa", kilimanjaro, { maxSentences: 2, minRelativeScore: 0 })).toEqual([
      "Its summit, Uhuru Peak, rises 5,895 metres above sea level, making it the highest mountain in Africa.",
      "Kilimanjaro is a dormant volcano in Tanzania.",
    ]);
  });

  it("puts the best sentence first, the others in reading order", () => {
    const docs = [{ text: "Mars has two moons. Mars is red because of iron oxide dust on its surface. Mars is cold." }];
    expect(extractiveAnswer("why is Mars red iron oxide", docs, { maxSentences: 3, minRelativeScore: 0 })[0]).toBe(
      "Mars is red because of iron oxide dust on its surface.",
    );
  });

  it("weighs the question's words that are the document's title below its other words", () => {
    // Every sentence is about the Yangtze; the one that answers is the one about its length.
    const docs = [{ title: "Yangtze", text: "The Yangtze flows through China. The river is 6,300 km long. The Yangtze delta is rich." }];
    expect(extractiveAnswer("How long is the Yangtze?", docs, { maxSentences: 1 })).toEqual(["The river is 6,300 km long."]);
  });

  it("joins chunks with a space after English sentences and nothing after Chinese ones", () => {
    const docs = [{ text: "长江很长。Tides rise twice a day. Tides fall too." }];
    expect(extractiveChunks("长江 tides", docs, { maxSentences: 3, minRelativeScore: 0 })).toEqual(["长江很长。", "Tides rise twice a day.", " Tides fall too."]);
  });

  it("reads a Han character outside the BMP (a surrogate pair) at a sentence's end as Chinese", () => {
    // 𠀀 (U+20000, CJK Extension B) is two UTF-16 units; 😀 is not Han, and neither is a lone surrogate.
    const chunks = (first: string) => extractiveChunks("tides", [{ text: `${first}\n\nTides rise.` }], { maxSentences: 2, minRelativeScore: 0 });
    expect(chunks("Tides 潮汐𠀀")[1]).toBe("Tides rise.");
    expect(chunks("Tides 😀")[1]).toBe(" Tides rise.");
    expect(chunks("Tides \ud840")[1]).toBe(" Tides rise.");
  });

  it("answers a second question with its own terms, not the previous question's", () => {
    expect(extractiveAnswer("Why do fish swim?", docs, { maxSentences: 1 })).toEqual(["Fish swim."]);
    expect(extractiveAnswer("What does the Sun do?", docs, { maxSentences: 1 })).toEqual(["The Sun helps a little."]);
    expect(extractiveAnswer("Why do fish swim?", docs, { maxSentences: 1 })).toEqual(["Fish swim."]);
  });
});
