import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { paths } from "./paths.js";
import { runPromtool } from "./promtool.js";
import { ruleGroups, ruleTestFiles } from "./rule-files.js";

const alerts = ruleGroups("alerts.yml").flatMap((group) => group.rules);
const recordings = ruleGroups("recording.yml").flatMap((group) => group.rules);

describe("promtool", () => {
  it("accepts the scrape configuration and finds both rule files", () => {
    const { status, output } = runPromtool(["check", "config", "prometheus.yml"], paths.prometheus);
    expect(status, output).toBe(0);
    expect(output).toContain("SUCCESS: 2 rule files found");
  });

  it("accepts every recording and alerting rule", () => {
    const { status, output } = runPromtool(["check", "rules", "rules/recording.yml", "rules/alerts.yml"], paths.prometheus);
    expect(status, output).toBe(0);
    const counts = [...output.matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1]));
    expect(counts).toEqual([recordings.length, alerts.length]);
  });

  it("passes every unit test in tests/", () => {
    const files = ruleTestFiles().map(({ file }) => join("tests", file));
    const { status, output } = runPromtool(["test", "rules", ...files], paths.prometheus);
    expect(status, output).toBe(0);
    expect(output).not.toContain("FAILED");
    expect(output.match(/^\s+SUCCESS$/gm)).toHaveLength(files.length);
  });
});

describe("alert rules", () => {
  const runbook = readFileSync(join(paths.docs, "runbook.md"), "utf8");
  const runbookAnchors = new Set([...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-")));

  it.each(alerts.map((rule) => [rule.alert!, rule] as const))("%s has a severity, a summary, a description and a runbook section", (name, rule) => {
    expect(name).toMatch(/^Kbalign[A-Z]\w+$/);
    expect(["page", "ticket"]).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    expect(rule.annotations?.runbook_url).toBe(`docs/runbook.md#${name.toLowerCase()}`);
    expect(runbookAnchors).toContain(name.toLowerCase());
  });

  it("has a promtool test where each alert fires and one where it stays quiet", () => {
    const cases = ruleTestFiles().flatMap((file) => file.tests.flatMap((test) => test.alert_rule_test ?? []));
    const fires = new Set(cases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname));
    const quiet = new Set(cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname));
    const names = alerts.map((rule) => rule.alert!);
    expect(names.filter((name) => !fires.has(name)), "alerts never tested firing").toEqual([]);
    expect(names.filter((name) => !quiet.has(name)), "alerts never tested quiet").toEqual([]);
  });

  it("evaluates recording rules before alerts in every test file, as the server does within one evaluation", () => {
    const groups = [...ruleGroups("recording.yml"), ...ruleGroups("alerts.yml")].map((group) => group.name);
    for (const file of ruleTestFiles()) {
      expect(file.rule_files, file.file).toEqual(["../rules/recording.yml", "../rules/alerts.yml"]);
      expect(file.group_eval_order, file.file).toEqual(groups);
    }
  });

  it("reads only recording rules that recording.yml defines", () => {
    const defined = new Set(recordings.map((rule) => rule.record!));
    const used = [...alerts, ...recordings].flatMap((rule) => [...rule.expr.matchAll(/\b[a-z_]+:[\w:]+/g)].map((m) => m[0]));
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });
});
