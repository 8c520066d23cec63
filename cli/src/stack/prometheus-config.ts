import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One scrape target: a service and the ops port it serves `/metrics` on in this run. */
export interface ScrapeTarget {
  service: string;
  port: number;
}

export interface PrometheusConfigInput {
  targets: ScrapeTarget[];
  /** Absolute paths of the rule files to load. */
  ruleFiles: string[];
}

/**
 * The rule files beside this CLI: `observability/prometheus/rules/*.yml` of the repository it was
 * built in (`cli/src/stack` and `cli/dist/stack` are both three levels below the root). Empty when
 * the CLI runs outside a checkout.
 */
export function repositoryRuleFiles(rulesDir = fileURLToPath(new URL("../../../observability/prometheus/rules/", import.meta.url))): string[] {
  let names: string[];
  try {
    names = readdirSync(rulesDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names
    .filter((name) => name.endsWith(".yml"))
    .sort()
    .map((name) => join(rulesDir, name));
}

/**
 * The Prometheus configuration `kbalign up` runs with: `observability/prometheus/prometheus.yml`
 * (same intervals, labels and job names, which the rules select on) with this run's ops ports and
 * the rule files by absolute path. JSON is YAML, so the text is Prometheus' config file as is.
 */
export function prometheusConfig(input: PrometheusConfigInput): string {
  const config = {
    global: { scrape_interval: "15s", evaluation_interval: "15s", external_labels: { stack: "kbalign-local" } },
    rule_files: input.ruleFiles,
    // One job per service, one target per replica.
    scrape_configs: [...new Set(input.targets.map((target) => target.service))].map((service) => ({
      job_name: `kbalign-${service}`,
      static_configs: [{ targets: input.targets.filter((t) => t.service === service).map((t) => `127.0.0.1:${t.port}`) }],
    })),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
