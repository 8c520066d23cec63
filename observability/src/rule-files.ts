import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { paths } from "./paths.js";

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: Rule[];
}

const readYaml = (file: string): unknown => parse(readFileSync(file, "utf8"));

/** The groups of `observability/prometheus/rules/<name>`. */
export function ruleGroups(name: "alerts.yml" | "recording.yml"): RuleGroup[] {
  return (readYaml(join(paths.prometheus, "rules", name)) as { groups: RuleGroup[] }).groups;
}

export interface AlertTestCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}
export interface RuleTestFile {
  file: string;
  rule_files: string[];
  group_eval_order?: string[];
  tests: Array<{ name: string; alert_rule_test?: AlertTestCase[] }>;
}

/** Every promtool unit-test file under `observability/prometheus/tests/`. */
export function ruleTestFiles(): RuleTestFile[] {
  const dir = join(paths.prometheus, "tests");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yml"))
    .sort()
    .map((file) => ({ file, ...(readYaml(join(dir, file)) as Omit<RuleTestFile, "file">) }));
}
