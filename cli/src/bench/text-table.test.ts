import { describe, expect, it } from "vitest";
import { renderMarkdown, renderText, type ReportTable } from "./text-table.js";

const latency: ReportTable = {
  title: "latency",
  columns: ["to", "count", "p50"],
  numeric: [false, true, true],
  rows: [
    ["first event", "200", "1.25"],
    ["done", "7", "112.50"],
  ],
};
const setup: ReportTable = { title: "setup", columns: ["setting", "value"], hideHeaderInText: true, rows: [["collection", "demo"], ["nats", "nats://a|b"]] };

describe("renderText", () => {
  it("aligns columns: text left, numbers right, no trailing spaces", () => {
    expect(renderText([latency])).toBe(["latency", "  to            count      p50", "  first event     200     1.25", "  done              7   112.50"].join("\n"));
  });

  it("leaves out a list's column names, separates sections by a blank line, and says (none) for no rows", () => {
    expect(renderText([setup, { ...latency, rows: [] }])).toBe(["setup", "  collection   demo", "  nats         nats://a|b", "", "latency", "  (none)"].join("\n"));
  });
});

describe("renderMarkdown", () => {
  it("writes a heading and a table per section, numbers right-aligned, pipes escaped", () => {
    expect(renderMarkdown([latency, setup])).toBe(
      [
        "### latency",
        "",
        "| to | count | p50 |",
        "| --- | ---: | ---: |",
        "| first event | 200 | 1.25 |",
        "| done | 7 | 112.50 |",
        "",
        "### setup",
        "",
        "| setting | value |",
        "| --- | --- |",
        "| collection | demo |",
        "| nats | nats://a\\|b |",
      ].join("\n"),
    );
  });
});
