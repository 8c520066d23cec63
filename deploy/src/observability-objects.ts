import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "./kube-object.js";
import { paths } from "./paths.js";

/** The rule files of observability/prometheus/rules, in the order Prometheus loads them. */
export const RULE_FILES = ["recording.yml", "alerts.yml"] as const;

interface RuleFile {
  groups: unknown[];
}

/** The groups of one rule file of observability/prometheus/rules, as written there. */
export function ruleGroups(file: (typeof RULE_FILES)[number]): unknown[] {
  const parsed = parse(readFileSync(join(paths.prometheusRules, file), "utf8")) as RuleFile | null;
  if (!parsed || !Array.isArray(parsed.groups)) throw new Error(`observability/prometheus/rules/${file}: no groups`);
  return parsed.groups;
}

/**
 * The Prometheus Operator's PrometheusRule carrying every group of the rule files, unchanged: the
 * same rules `promtool test rules` checks in observability/prometheus/tests.
 */
export function prometheusRule(): KubeObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "kbalign-rules", labels: { "app.kubernetes.io/name": "kbalign-rules" } },
    spec: { groups: RULE_FILES.flatMap(ruleGroups) },
  };
}

/** The dashboards of observability/grafana/dashboards, file name → JSON text, sorted by name. */
export function dashboardFiles(): Record<string, string> {
  const names = readdirSync(paths.dashboards).filter((name) => name.endsWith(".json")).sort();
  return Object.fromEntries(names.map((name) => [name, readFileSync(join(paths.dashboards, name), "utf8")]));
}

/**
 * A ConfigMap holding every dashboard file verbatim, labelled for the Grafana sidecar of
 * kube-prometheus-stack (`grafana_dashboard: "1"`), which loads it into the folder "kbalign".
 */
export function dashboardsConfigMap(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "kbalign-grafana-dashboards",
      labels: { "app.kubernetes.io/name": "kbalign-grafana-dashboards", grafana_dashboard: "1" },
      annotations: { grafana_folder: "kbalign" },
    },
    data: dashboardFiles(),
  };
}
