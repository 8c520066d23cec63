import { describe, expect, it } from "vitest";
import { labelFileName } from "./eval-files.js";
import { summarizeOutcomes } from "./eval-report.js";
import type { QuestionResult } from "./evaluate-question.js";
import { ZERO_SCORES } from "./retrieval-metrics.js";

const result = (fields: Partial<QuestionResult>): QuestionResult => ({
  index: 0,
  id: "q",
  question: "?",
  relevant: ["d"],
  outcome: "done",
  degraded: [],
  rankings: { recall: [], queryExpansionRecall: [] },
  expansionFromFirstRecall: false,
  scores: { recall: ZERO_SCORES, queryExpansionRecall: ZERO_SCORES },
  deepFailures: {},
  deepMismatches: [],
  answer: "",
  answerChars: 0,
  latencyMs: 1,
  ...fields,
});

describe("summarizeOutcomes", () => {
  it("counts failures by code, degradations by reason, and deep-ranking problems by recall", () => {
    const summary = summarizeOutcomes([
      result({}),
      result({ outcome: "error", code: "OVERLOADED" }),
      result({ outcome: "failed", code: "CLIENT_TIMEOUT" }),
      result({ outcome: "error", code: "OVERLOADED" }),
      result({ degraded: ["first_answer:TIMEOUT"], expansionFromFirstRecall: true }),
      result({ deepFailures: { queryExpansionRecall: "TIMEOUT" }, deepMismatches: ["recall"] }),
    ]);
    expect(summary).toEqual({
      questions: 6,
      done: 3,
      failed: 3,
      degraded: 1,
      failedByCode: { OVERLOADED: 2, CLIENT_TIMEOUT: 1 },
      degradedByReason: { "first_answer:TIMEOUT": 1 },
      expansionFromFirstRecall: 1,
      deepRankingFailures: { recall: {}, queryExpansionRecall: { TIMEOUT: 1 } },
      deepRankingMismatches: { recall: 1, queryExpansionRecall: 0 },
    });
  });
});

describe("labelFileName", () => {
  it("keeps letters of any script, digits, '.', '_' and '-', and is never empty or hidden", () => {
    expect(labelFileName("scifact")).toBe("scifact");
    expect(labelFileName("cmrc 2018 / bm25")).toBe("cmrc-2018-bm25");
    expect(labelFileName("中文评测")).toBe("中文评测");
    expect(labelFileName("../..")).toBe("eval");
    expect(labelFileName(".hidden")).toBe("hidden");
  });
});
