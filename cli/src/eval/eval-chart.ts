import { HIT_LENGTHS } from "./answer-metrics.js";
import type { EvalReport } from "./eval-report.js";
import { METRIC_LABELS, RETRIEVAL_METRICS } from "./retrieval-metrics.js";

/**
 * The report as one self-contained SVG (no scripts, fonts or links): grouped bars of the retrieval
 * metrics for both recalls, and where the dataset has answers, the hit rate by answer length.
 * Every bar has its value printed, so the chart reads without hovering.
 */

const WIDTH = 760;
const MARGIN = { left: 70, right: 20 };
const PLOT_HEIGHT = 220;
/** Panel layout: title, legend, plot, axis labels. */
const PANEL_TOP = 76;
const PANEL_HEIGHT = PANEL_TOP + PLOT_HEIGHT + 64;
const Y_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

interface Series {
  name: string;
  color: string;
}

interface BarPanel {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** One group of bars per entry, one bar per series, values within 0..1. */
  groups: ReadonlyArray<{ label: string; values: readonly number[] }>;
  /** How a bar's value is printed. */
  format: (value: number) => string;
}

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
  const height = panels.length * PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...panels.map((panel, i) => renderPanel(panel, i * PANEL_HEIGHT)),
    "</svg>",
    "",
  ].join("\n");
}

function renderPanel(panel: BarPanel, top: number): string {
  const plotTop = top + PANEL_TOP;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const y = (value: number) => plotBottom - clamp01(value) * PLOT_HEIGHT;
  const groupWidth = plotWidth / panel.groups.length;
  const barWidth = Math.min(44, (groupWidth * 0.7) / panel.series.length);
  const parts: string[] = [
    `<g>`,
    text(MARGIN.left, top + 18, panel.title, { size: 15, weight: "bold" }),
    text(MARGIN.left, top + 34, panel.subtitle, { fill: "#555555" }),
  ];
  // Legend, one line under the subtitle; the width of a name is estimated (no text metrics in SVG).
  let legendX = MARGIN.left;
  for (const series of panel.series) {
    const legendY = top + 50;
    parts.push(`<rect x="${fixed(legendX)}" y="${legendY - 9}" width="10" height="10" fill="${series.color}"/>`, text(legendX + 14, legendY, series.name));
    legendX += 14 + series.name.length * 6.5 + 24;
  }
  for (const tick of Y_TICKS) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${fixed(y(tick))}" x2="${MARGIN.left + plotWidth}" y2="${fixed(y(tick))}" stroke="#dddddd"/>`,
      text(MARGIN.left - 6, y(tick) + 4, tick.toFixed(1), { anchor: "end" }),
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" y1="${plotTop}" x2="${MARGIN.left}" y2="${plotBottom}" stroke="#333333"/>`,
    `<line x1="${MARGIN.left}" y1="${plotBottom}" x2="${MARGIN.left + plotWidth}" y2="${plotBottom}" stroke="#333333"/>`,
  );
  panel.groups.forEach((group, g) => {
    const center = MARGIN.left + groupWidth * (g + 0.5);
    const start = center - (barWidth * panel.series.length) / 2;
    group.values.forEach((value, s) => {
      const x = start + s * barWidth;
      const color = panel.series[s]?.color ?? "#999999";
      parts.push(
        `<rect x="${fixed(x + 2)}" y="${fixed(y(value))}" width="${fixed(barWidth - 4)}" height="${fixed(plotBottom - y(value))}" fill="${color}"><title>${escapeXml(`${group.label} · ${panel.series[s]?.name ?? ""}: ${panel.format(value)}`)}</title></rect>`,
        text(x + barWidth / 2, y(value) - 4, panel.format(value), { anchor: "middle", size: 11 }),
      );
    });
    parts.push(text(center, plotBottom + 18, group.label, { anchor: "middle", weight: "bold" }));
  });
  parts.push(
    text(MARGIN.left + plotWidth / 2, plotBottom + 42, panel.xLabel, { anchor: "middle", fill: "#333333" }),
    text(18, plotTop + PLOT_HEIGHT / 2, panel.yLabel, { anchor: "middle", fill: "#333333", rotate: true }),
    `</g>`,
  );
  return parts.join("\n");
}

interface TextStyle {
  anchor?: "start" | "middle" | "end";
  size?: number;
  weight?: "bold";
  fill?: string;
  /** Vertical, reading bottom to top (a y-axis label). */
  rotate?: boolean;
}

function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const attributes = [
    `x="${fixed(x)}"`,
    `y="${fixed(y)}"`,
    ...(style.anchor && style.anchor !== "start" ? [`text-anchor="${style.anchor}"`] : []),
    ...(style.size ? [`font-size="${style.size}"`] : []),
    ...(style.weight ? [`font-weight="${style.weight}"`] : []),
    ...(style.fill ? [`fill="${style.fill}"`] : []),
    ...(style.rotate ? [`transform="rotate(-90 ${fixed(x)} ${fixed(y)})"`] : []),
  ];
  return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`;
}

/** Text for an XML element or attribute value. */
export const escapeXml = (value: string): string =>
  value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&apos;");

const clamp01 = (value: number): number => Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
const fixed = (value: number): string => String(Math.round(value * 10) / 10);
