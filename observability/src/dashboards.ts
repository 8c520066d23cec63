import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { paths } from "./paths.js";

export interface Target {
  refId?: unknown;
  expr?: unknown;
  exemplar?: unknown;
  datasource?: unknown;
}
export interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: unknown;
  datasource?: unknown;
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  file: string;
  json: {
    uid?: unknown;
    title?: unknown;
    schemaVersion?: unknown;
    panels?: Panel[];
    templating?: { list?: Array<{ name?: unknown; datasource?: unknown; query?: unknown; definition?: unknown }> };
  };
}

const DIR = join(paths.grafana, "dashboards");

/** Every dashboard under `observability/grafana/dashboards/`, parsed (throws on invalid JSON). */
export function dashboards(): Dashboard[] {
  return readdirSync(DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(DIR, file), "utf8")) as Dashboard["json"] }));
}

/** Panels of a dashboard, those inside collapsed rows included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.json.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every PromQL expression a dashboard runs: panel targets and query variables. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const targets = allPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  const variables = (dashboard.json.templating?.list ?? []).map((variable) =>
    typeof variable.query === "object" && variable.query !== null ? (variable.query as { query?: unknown }).query : variable.query,
  );
  return [...targets, ...variables]
    .filter((expr): expr is string => typeof expr === "string")
    // label_values(metric, label) names a metric the way a selector does.
    .map((expr) => expr.replace(/label_values\(([^,)]+)(?:,[^)]*)?\)/g, "$1"));
}
