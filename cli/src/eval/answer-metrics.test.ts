import { describe, expect, it } from "vitest";
import { charF1, charLength, firstChars, hitWithin, longestCommonSubstring, normalizeAnswer, normalizedReferences, scoreAnswer, summarizeAnswers } from "./answer-metrics.js";

describe("normalizeAnswer", () => {
  it("applies NFKC, lower-cases, and drops whitespace and punctuation (\\p{P}), keeping symbols", () => {
    expect(normalizeAnswer("Ｈｅｌｌｏ，  World！\n")).toBe("helloworld"); // full-width letters and punctuation
    expect(normalizeAnswer("《战国无双3》。")).toBe("战国无双3");
    expect(normalizeAnswer("「战史演武」&「争霸演武」")).toBe("战史演武争霸演武");
    expect(normalizeAnswer("光荣和ω-force")).toBe("光荣和ωforce");
    expect(normalizeAnswer("1 + 1 = 2")).toBe("1+1=2"); // + and = are symbols (\p{S}), not punctuation
  });
});

describe("firstChars and charLength", () => {
  it("count code points, so a character outside the BMP is one and never split", () => {
    expect(firstChars("😀😀😀", 2)).toBe("😀😀");
    expect(charLength("长江😀")).toBe(3);
    expect(firstChars("short", 60)).toBe("short");
  });
});

describe("hitWithin", () => {
  const refs = normalizedReferences(["光荣和ω-force"]);
  it("finds a reference in the normalised prefix, whatever spacing and punctuation the answer has", () => {
    expect(hitWithin("本作由光荣 和 ω·force 开发。", refs, 60)).toBe(true);
    expect(hitWithin("本作由任天堂开发。", refs, 60)).toBe(false);
  });

  it("cuts the answer to N characters before normalising: a reference past N is no hit", () => {
    const answer = `${"很".repeat(55)}光荣和ω-force开发`; // the reference spans characters 56-65
    expect(hitWithin(answer, refs, 60)).toBe(false);
    expect(hitWithin(answer, refs, 65)).toBe(true);
    expect(hitWithin(answer, refs, 120)).toBe(true);
  });
});

describe("charF1 (CMRC 2018: longest common substring, best over the references)", () => {
  it("scores 光荣和ω-force开发 against 光荣和ω-force as 0.9 (overlap 9, answer 11, reference 9)", () => {
    // P = 9/11, R = 9/9, F1 = 2PR/(P+R) = (18/11)/(20/11) = 0.9
    expect(charF1("光荣和ω-force开发", normalizedReferences(["光荣和ω-force"]))).toBeCloseTo(0.9, 10);
  });

  it("takes the best reference: 20/23 from 任天堂游戏谜之村雨城, not 6/16 from 村雨城", () => {
    // answer 任天堂游戏谜之村雨城的改编 has 13 characters.
    // vs 村雨城 (3): overlap 3, P = 3/13, R = 1, F1 = (6/13)/(16/13) = 0.375
    // vs 任天堂游戏谜之村雨城 (10): overlap 10, P = 10/13, R = 1, F1 = (20/13)/(23/13) = 20/23
    const refs = normalizedReferences(["村雨城", "任天堂游戏谜之村雨城"]);
    expect(charF1("任天堂游戏谜之村雨城的改编", refs)).toBeCloseTo(20 / 23, 10);
    expect(charF1("任天堂游戏谜之村雨城的改编", normalizedReferences(["村雨城"]))).toBeCloseTo(0.375, 10);
  });

  it("counts a contiguous overlap, not a bag of characters: cba against abc is 1/3, not 1", () => {
    expect(longestCommonSubstring([..."cba"], [..."abc"])).toBe(1);
    expect(charF1("cba", ["abc"])).toBeCloseTo(1 / 3, 10);
  });

  it("is 0 with no overlap, for an empty answer, and with no references", () => {
    expect(charF1("xyz", ["abc"])).toBe(0);
    expect(charF1("", ["abc"])).toBe(0);
    expect(charF1("abc", [])).toBe(0);
  });
});

describe("scoreAnswer and summarizeAnswers", () => {
  it("ignores references that normalise to nothing (they would match any answer)", () => {
    expect(normalizedReferences(["。", " ", "长江"])).toEqual(["长江"]);
    const score = scoreAnswer("anything at all", ["。"]);
    expect(score).toEqual({ hits: { 60: false, 120: false, 200: false, 400: false, full: false }, f1: 0 });
  });

  it("scores Hit@N at every length, over the whole answer, and F1", () => {
    const answer = `${"x".repeat(150)} The Yangtze is 6,300 km long.`;
    const score = scoreAnswer(answer, ["6300 km"]);
    expect(score.hits).toEqual({ 60: false, 120: false, 200: true, 400: true, full: true });
    expect(score.f1).toBeGreaterThan(0);
  });

  it("averages hits and F1 over the scored questions, the answer length over the answered ones", () => {
    const hit = { hits: { 60: true, 120: true, 200: true, 400: true, full: true }, f1: 1 };
    const late = { hits: { 60: false, 120: false, 200: true, 400: true, full: true }, f1: 0.5 };
    const miss = { hits: { 60: false, 120: false, 200: false, 400: false, full: false }, f1: 0 };
    const summary = summarizeAnswers([{ score: hit }, { score: late }, { score: miss }, { score: miss }], [100, 300]);
    expect(summary).toEqual({ questions: 4, hitRate: { 60: 0.25, 120: 0.25, 200: 0.5, 400: 0.5, full: 0.5 }, f1: 0.375, meanAnswerChars: 200 });
    expect(summarizeAnswers([], [])).toEqual({ questions: 0, hitRate: { 60: 0, 120: 0, 200: 0, 400: 0, full: 0 }, f1: 0, meanAnswerChars: 0 });
  });
});
