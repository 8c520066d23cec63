import { escapeXml, renderBarChart, type BarPanel } from "../chart/bar-chart.js";
import { HIT_LENGTHS } from "./answer-metrics.js";
import type { EvalReport } from "./eval-report.js";
import { METRIC_LABELS, RETRIEVAL_METRICS } from "./retrieval-metrics.js";

/**
 * The report as one self-contained SVG (no scripts, fonts or links): grouped bars of the retrieval
 * metrics for both recalls, and where the dataset has answers, the hit rate by answer length.
 * Every bar has its value printed, so the chart reads without hovering.
 */
export function renderEvalChart(report: EvalReport): string {
  const panels: BarPanel[] = [
    {
      title: `kbalign eval · ${report.label} — retrieval`,
      subtitle: `${report.summary.questions} question(s), split ${report.dataset.split}, topn ${report.settings.topn}${report.summary.failed > 0 ? `, ${report.summary.failed} failed (scored 0)` : ""}`,
      xLabel: "metric",
      yLabel: "score (mean over questions)",
      series: [
        { name: "recall (the question)", color: "#4c78a8" },
        { name: "query_expansion_recall (question + first answer)", color: "#f58518" },
      ],
      groups: RETRIEVAL_METRICS.map((metric) => ({
        label: METRIC_LABELS[metric],
        values: [report.retrieval.recall[metric], report.retrieval.queryExpansionRecall[metric]],
      })),
      format: (value) => value.toFixed(3),
    },
  ];
  const { answers } = report;
  if (answers !== undefined) {
    panels.push({
      title: `kbalign eval · ${report.label} — answers`,
      subtitle: `${answers.questions} question(s) with reference answers; character F1 ${answers.f1.toFixed(3)}; mean answer ${answers.meanAnswerChars.toFixed(0)} characters`,
      xLabel: "answer length read (first N characters)",
      yLabel: "hit rate (reference found)",
      series: [{ name: "hit rate", color: "#54a24b" }],
      groups: HIT_LENGTHS.map((n) => ({ label: String(n), values: [answers.hitRate[n]] })),
      format: (value) => `${(value * 100).toFixed(1)}%`,
    });
  }
  return renderBarChart(panels);
}

export { escapeXml };

