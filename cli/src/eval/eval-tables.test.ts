import { describe, expect, it } from "vitest";
import { renderText } from "../bench/text-table.js";
import type { EvalReport } from "./eval-report.js";
import { evalTables, evalTitle } from "./eval-tables.js";

const scores = { ndcg10: 0.6887, recall5: 0.7418, recall10: 0.8241, recall100: 0.9287, mrr10: 0.6517 };
const report: EvalReport = {
  format: "kbalign-eval/1",
  label: "cmrc",
  startedAt: "2025-01-01T00:00:00.000Z",
  interrupted: false,
  dataset: { path: "/data/cmrc2018", split: "test", qrelsFile: "/data/cmrc2018/qrels/test.tsv", judgedQueries: 3219, unjudgedQueries: 0 },
  settings: { collection: "cmrc", label: "cmrc", split: "test", topn: 10, concurrency: 4, timeoutMs: 30_000, nats: "nats://127.0.0.1:4333", ingest: false },
  method: {},
  summary: {
    questions: 500,
    done: 498,
    failed: 2,
    degraded: 1,
    failedByCode: { OVERLOADED: 2 },
    degradedByReason: { "first_answer:TIMEOUT": 1 },
    expansionFromFirstRecall: 1,
    deepRankingFailures: { recall: {}, queryExpansionRecall: { TIMEOUT: 1 } },
    deepRankingMismatches: { recall: 0, queryExpansionRecall: 3 },
  },
  retrieval: { recall: scores, queryExpansionRecall: { ...scores, ndcg10: 0.6850 } },
  answers: { questions: 500, hitRate: { 60: 0.711, 120: 0.856, 200: 0.893, 400: 0.907, full: 0.908 }, f1: 0.2011, meanAnswerChars: 132.6 },
  timings: { totalSeconds: 20, questionsSeconds: 18, questionsPerSecond: 27.8, serverStageMedianMs: {} },
};

describe("evalTables", () => {
  it("shows both recalls side by side with the change, failures counted as 0", () => {
    const text = renderText(evalTables(report));
    expect(text).toContain("retrieval: mean over 500 question(s), 2 failed counted as 0");
    expect(text).toMatch(/nDCG@10\s+0\.6887\s+0\.6850\s+−0\.0037/);
    expect(text).toMatch(/R@100\s+0\.9287\s+0\.9287\s+\+0\.0000/);
  });

  it("says how many of how many questions were asked, with --limit and when interrupted", () => {
    expect(renderText(evalTables({ ...report, settings: { ...report.settings, limit: 500 } }))).toContain("500 of 500 (--limit 500; 3219 judged)");
    const interrupted = { ...report, interrupted: true, summary: { ...report.summary, questions: 122 } };
    expect(renderText(evalTables(interrupted))).toContain("122 of 3219 judged, INTERRUPTED");
    expect(evalTitle(interrupted)).toBe("kbalign eval · cmrc · 2025-01-01T00:00:00.000Z · INTERRUPTED");
  });

  it("lists answers, failures and degradations by code, and warns about deep-ranking problems", () => {
    const text = renderText(evalTables(report));
    expect(text).toMatch(/hit rate in the first 60 characters\s+71\.1 %/);
    expect(text).toMatch(/character F1 \(CMRC 2018\)\s+0\.2011/);
    expect(text).toMatch(/failed\s+OVERLOADED\s+2/);
    expect(text).toMatch(/degraded\s+first_answer:TIMEOUT\s+1/);
    expect(text).toContain("query_expansion_recall: 100-deep ranking failed (TIMEOUT ×1)");
    expect(text).toContain("query_expansion_recall: for 3 question(s) the 100-deep ranking does not start with the public event's documents");
    const { answers: _none, ...withoutAnswers } = report;
    expect(renderText(evalTables(withoutAnswers))).not.toContain("hit rate");
  });
});
