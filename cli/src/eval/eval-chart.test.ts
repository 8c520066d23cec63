import { describe, expect, it } from "vitest";
import { escapeXml, renderEvalChart } from "./eval-chart.js";
import type { EvalReport } from "./eval-report.js";

const report: EvalReport = {
  format: "kbalign-eval/1",
  label: "scifact <BM25> & co",
  startedAt: "2025-01-01T00:00:00.000Z",
  interrupted: false,
  dataset: { path: "/data/scifact", split: "test", qrelsFile: "/data/scifact/qrels/test.tsv", judgedQueries: 300, unjudgedQueries: 0 },
  settings: { collection: "scifact", label: "scifact <BM25> & co", split: "test", topn: 10, concurrency: 4, timeoutMs: 30_000, nats: "nats://127.0.0.1:4222", ingest: false },
  method: {},
  summary: {
    questions: 300,
    done: 299,
    failed: 1,
    degraded: 0,
    failedByCode: { TIMEOUT: 1 },
    degradedByReason: {},
    expansionFromFirstRecall: 0,
    deepRankingFailures: { recall: {}, queryExpansionRecall: {} },
    deepRankingMismatches: { recall: 0, queryExpansionRecall: 0 },
  },
  retrieval: {
    recall: { ndcg10: 0.6647, recall5: 0.7123, recall10: 0.7901, recall100: 0.9253, mrr10: 0.6311 },
    queryExpansionRecall: { ndcg10: 0.6702, recall5: 0.7208, recall10: 0.8016, recall100: 0.9311, mrr10: 0.6388 },
  },
  timings: { totalSeconds: 10, questionsSeconds: 8, questionsPerSecond: 37.5, serverStageMedianMs: {} },
};
const withAnswers: EvalReport = {
  ...report,
  answers: { questions: 500, hitRate: { 60: 0.312, 120: 0.455, 200: 0.571, 400: 0.702, full: 0.75 }, f1: 0.1234, meanAnswerChars: 351.2 },
};

/**
 * A small well-formedness check: every tag is closed in order, exactly one root <svg>, and no raw
 * '<' or '&' outside tags and entities. Returns the element names in document order.
 */
function checkWellFormed(svg: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let roots = 0;
  for (const match of svg.matchAll(tag)) {
    const between = svg.slice(last, match.index);
    expect(between, `text before ${match[0]}`).not.toMatch(/<|&(?!(amp|lt|gt|quot|apos);)/);
    last = match.index + match[0].length;
    const [, closing, name = "", , selfClosing] = match;
    if (closing) {
      expect(open.pop(), `closing </${name}>`).toBe(name);
      continue;
    }
    if (open.length === 0) roots++;
    names.push(name);
    if (!selfClosing) open.push(name);
  }
  expect(svg.slice(last).trim()).toBe("");
  expect(open).toEqual([]);
  expect(roots).toBe(1);
  return names;
}

describe("renderEvalChart", () => {
  it("is a well-formed, self-contained SVG with the label escaped", () => {
    const svg = renderEvalChart(withAnswers);
    const names = checkWellFormed(svg);
    expect(names[0]).toBe("svg");
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(names.filter((n) => n === "script" || n === "image" || n === "a")).toEqual([]);
    expect(svg).toContain("scifact &lt;BM25&gt; &amp; co");
    expect(svg).not.toContain("<BM25>");
  });

  it("draws a bar and prints the value of every metric of both recalls, with axis labels", () => {
    const svg = renderEvalChart(report);
    for (const value of ["0.665", "0.712", "0.790", "0.925", "0.631", "0.670", "0.721", "0.802", "0.931", "0.639"]) expect(svg).toContain(`>${value}</text>`);
    for (const label of ["nDCG@10", "R@5", "R@10", "R@100", "MRR@10", "score (mean over questions)", "metric"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain("1 failed (scored 0)");
    // 5 metrics × 2 recalls, plus the background and two legend swatches.
    expect(svg.match(/<rect /g)).toHaveLength(10 + 1 + 2);
    expect(svg).not.toContain("hit rate");
  });

  it("adds the answer panel, hit rate against answer length, only where the dataset has answers", () => {
    const svg = renderEvalChart(withAnswers);
    for (const value of ["31.2%", "45.5%", "57.1%", "70.2%"]) expect(svg).toContain(`>${value}</text>`);
    for (const label of ["60", "120", "200", "400", "answer length read (first N characters)", "hit rate (reference found)"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain("character F1 0.123");
    expect(Number(/height="(\d+)"/.exec(svg)?.[1])).toBeGreaterThan(Number(/height="(\d+)"/.exec(renderEvalChart(report))?.[1]));
  });

  it("keeps a bar's height proportional to its value, within the plot", () => {
    const svg = renderEvalChart({ ...report, retrieval: { recall: { ...report.retrieval.recall, ndcg10: 1 }, queryExpansionRecall: { ...report.retrieval.queryExpansionRecall, ndcg10: 0.5 } } });
    const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#(?:4c78a8|f58518)"><title>nDCG@10/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([220, 110]);
  });
});

describe("escapeXml", () => {
  it("escapes the five XML special characters", () => {
    expect(escapeXml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  });
});
