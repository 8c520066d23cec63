import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { prometheusConfig, repositoryRuleFiles } from "./prometheus-config.js";

const repoConfig = readFileSync(fileURLToPath(new URL("../../../observability/prometheus/prometheus.yml", import.meta.url)), "utf8");
const ScrapeConfig = (text: string) =>
  JSON.parse(text) as {
    global: { scrape_interval: string; evaluation_interval: string; external_labels: Record<string, string> };
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };

describe("prometheusConfig", () => {
  const targets = [
    { service: "retriever", port: 40_001 },
    { service: "generator", port: 40_002 },
    { service: "orchestrator", port: 40_003 },
  ];
  const ruleFiles = ["/repo/observability/prometheus/rules/alerts.yml", "/repo/observability/prometheus/rules/recording.yml"];

  it("scrapes each service on this run's ops port, one job per service", () => {
    const config = ScrapeConfig(prometheusConfig({ targets, ruleFiles }));
    expect(config.scrape_configs).toEqual([
      { job_name: "kbalign-retriever", static_configs: [{ targets: ["127.0.0.1:40001"] }] },
      { job_name: "kbalign-generator", static_configs: [{ targets: ["127.0.0.1:40002"] }] },
      { job_name: "kbalign-orchestrator", static_configs: [{ targets: ["127.0.0.1:40003"] }] },
    ]);
  });

  it("scrapes every replica of a service in that service's one job", () => {
    const replicas = [...targets, { service: "retriever", port: 40_004 }, { service: "generator", port: 40_005 }, { service: "orchestrator", port: 40_006 }];
    const config = ScrapeConfig(prometheusConfig({ targets: replicas, ruleFiles }));
    expect(config.scrape_configs).toEqual([
      { job_name: "kbalign-retriever", static_configs: [{ targets: ["127.0.0.1:40001", "127.0.0.1:40004"] }] },
      { job_name: "kbalign-generator", static_configs: [{ targets: ["127.0.0.1:40002", "127.0.0.1:40005"] }] },
      { job_name: "kbalign-orchestrator", static_configs: [{ targets: ["127.0.0.1:40003", "127.0.0.1:40006"] }] },
    ]);
  });

  it("loads the rule files it is given, by the paths given", () => {
    expect(ScrapeConfig(prometheusConfig({ targets, ruleFiles })).rule_files).toEqual(ruleFiles);
  });

  it("keeps the repository's prometheus.yml job names, intervals and labels (the rules select on them)", () => {
    const config = ScrapeConfig(prometheusConfig({ targets, ruleFiles }));
    expect(config.scrape_configs.map((job) => job.job_name)).toEqual([...repoConfig.matchAll(/job_name: (\S+)/g)].map((m) => m[1]));
    expect(repoConfig).toContain(`scrape_interval: ${config.global.scrape_interval}`);
    expect(repoConfig).toContain(`evaluation_interval: ${config.global.evaluation_interval}`);
    expect(repoConfig).toContain(`stack: ${config.global.external_labels.stack}`);
  });
});

describe("repositoryRuleFiles", () => {
  it("lists the repository's rule files by absolute path, the same ones prometheus.yml loads", () => {
    const files = repositoryRuleFiles();
    expect(files.every(isAbsolute)).toBe(true);
    const loaded = [...repoConfig.matchAll(/^ {2}- (rules\/\S+\.yml)$/gm)].map((m) => m[1]);
    expect(files.map((file) => file.replace(/^.*\/observability\/prometheus\//, "")).sort()).toEqual(loaded.sort());
  });

  it("is empty outside a checkout", () => {
    expect(repositoryRuleFiles("/nonexistent/rules")).toEqual([]);
  });
});
