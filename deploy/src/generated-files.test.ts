import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartFiles, observabilityFiles, type GeneratedFile } from "./generated-files.js";
import { paths } from "./paths.js";
import { find, rendered } from "./renders.js";
import { RULE_FILES, ruleGroups } from "./observability-objects.js";

const stale = (files: GeneratedFile[]): string[] =>
  files.filter((file) => readFileSync(file.path, "utf8") !== file.content).map((file) => relative(paths.root, file.path));

describe("files generated from one source", () => {
  it("the monitoring objects in the kustomize base are what observability/ generates now", () => {
    expect(stale(observabilityFiles()), "run `npm run generate -w deploy`").toEqual([]);
  });

  it("the chart's templates are what the kustomize base generates now, and no others", () => {
    const files = chartFiles();
    expect(stale(files), "run `npm run generate -w deploy`").toEqual([]);
    const committed = readdirSync(join(paths.chart, "templates")).filter((name) => name.endsWith(".yaml")).sort();
    expect(committed).toEqual(files.map((file) => relative(join(paths.chart, "templates"), file.path)).sort());
  });

  it("the PrometheusRule carries every group of the rule files, unchanged", () => {
    const rule = find(rendered("prod"), "PrometheusRule", "kbalign-rules");
    const groups = (rule.spec as { groups: unknown[] }).groups;
    expect(groups).toEqual(RULE_FILES.flatMap(ruleGroups));
    expect(groups.length).toBeGreaterThan(3);
  });

  it("the dashboards ConfigMap holds each dashboard file byte for byte", () => {
    const configMap = find(rendered("prod"), "ConfigMap", "kbalign-grafana-dashboards");
    const data = configMap.data as Record<string, string>;
    const files = readdirSync(paths.dashboards).filter((name) => name.endsWith(".json"));
    expect(Object.keys(data).sort()).toEqual(files.sort());
    for (const name of files) expect(data[name]).toBe(readFileSync(join(paths.dashboards, name), "utf8"));
    expect(configMap.metadata.labels?.grafana_dashboard).toBe("1");
  });

  it("the dashboards' data source exists under the uid they name", () => {
    const datasource = find(rendered("prod"), "ConfigMap", "kbalign-grafana-datasource");
    const provisioning = parse((datasource.data as Record<string, string>)["kbalign-datasource.yaml"]!) as { datasources: Array<{ uid: string }> };
    const named = new Set(Object.values(find(rendered("prod"), "ConfigMap", "kbalign-grafana-dashboards").data as Record<string, string>).flatMap((text) =>
      [...text.matchAll(/"type": "prometheus",\s*"uid": "([^"]+)"/g)].map((match) => match[1]),
    ));
    expect([...named]).toEqual(provisioning.datasources.map((source) => source.uid));
  });
});
