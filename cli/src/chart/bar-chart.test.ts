import { describe, expect, it } from "vitest";
import { niceMax, renderBarChart } from "./bar-chart.js";

describe("niceMax", () => {
  it("rounds up to 1, 2 or 5 times a power of ten", () => {
    expect(niceMax(0.7)).toBe(1);
    expect(niceMax(13)).toBe(20);
    expect(niceMax(20)).toBe(20);
    expect(niceMax(380)).toBe(500);
    expect(niceMax(501)).toBe(1_000);
    expect(niceMax(0)).toBe(1);
  });
});

describe("renderBarChart", () => {
  const panel = {
    title: "latency",
    subtitle: "ms",
    xLabel: "offered rate",
    yLabel: "ms",
    series: [{ name: "p99", color: "#000000" }],
    groups: [
      { label: "100/s", values: [50] },
      { label: "200/s", values: [100] },
    ],
    format: (v: number) => `${v} ms`,
  };

  it("scales bars to yMax and labels the ticks in its units", () => {
    const svg = renderBarChart([{ ...panel, yMax: 100 }]);
    const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#000000">/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect(heights[1]).toBeCloseTo((heights[0] ?? 0) * 2, 0);
    expect(svg).toContain(">100</text>");
    expect(svg).toContain(">50 ms</text>");
  });

  it("stacks one panel per entry in a single SVG", () => {
    const svg = renderBarChart([panel, panel]);
    expect(svg.match(/<svg /g)).toHaveLength(1);
    expect(svg.match(/<g>/g)).toHaveLength(2);
  });
});
