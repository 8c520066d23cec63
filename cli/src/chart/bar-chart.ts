/**
 * Grouped bar charts as one self-contained SVG (no scripts, fonts or links): panels stacked
 * vertically, every bar with its value printed, so the chart reads without hovering. Used by
 * `kbalign eval` (retrieval metrics) and `kbalign bench` (latency, CPU and memory per rate).
 */

const WIDTH = 760;
const MARGIN = { left: 70, right: 20 };
const PLOT_HEIGHT = 220;
/** Panel layout: title, legend, plot, axis labels. */
const PANEL_TOP = 76;
const PANEL_HEIGHT = PANEL_TOP + PLOT_HEIGHT + 64;
const Y_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

export interface Series {
  name: string;
  color: string;
}

export interface BarPanel {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** One group of bars per entry, one bar per series, values within 0..yMax. */
  groups: ReadonlyArray<{ label: string; values: readonly number[] }>;
  /** The top of the y axis (default 1); its ticks are fifths of it. */
  yMax?: number;
  /** How a bar's value is printed. */
  format: (value: number) => string;
}

/** The panels, stacked, as one SVG document. */
export function renderBarChart(panels: readonly BarPanel[]): string {
  const height = panels.length * PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...panels.map((panel, i) => renderPanel(panel, i * PANEL_HEIGHT)),
    "</svg>",
    "",
  ].join("\n");
}

/** A round top for a y axis holding `value`: 1, 2 or 5 times a power of ten, at least `value`. */
export function niceMax(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function renderPanel(panel: BarPanel, top: number): string {
  const plotTop = top + PANEL_TOP;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const yMax = panel.yMax ?? 1;
  const y = (value: number) => plotBottom - clamp01(value / yMax) * PLOT_HEIGHT;
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
  for (const fraction of Y_TICKS) {
    const tick = fraction * yMax;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${fixed(y(tick))}" x2="${MARGIN.left + plotWidth}" y2="${fixed(y(tick))}" stroke="#dddddd"/>`,
      text(MARGIN.left - 6, y(tick) + 4, yMax === 1 ? tick.toFixed(1) : formatTick(tick), { anchor: "end" }),
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

const formatTick = (value: number): string => (Number.isInteger(value) ? String(value) : value.toPrecision(2));
const clamp01 = (value: number): number => Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
const fixed = (value: number): string => String(Math.round(value * 10) / 10);
