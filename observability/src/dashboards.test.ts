import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { allPanels, dashboardExpressions, dashboards } from "./dashboards.js";
import { paths } from "./paths.js";
import { runPromtool } from "./promtool.js";

interface DataSource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: { exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }> };
}
const readYaml = <T>(...parts: string[]) => parse(readFileSync(join(paths.grafana, ...parts), "utf8")) as T;
const { datasources } = readYaml<{ datasources: DataSource[] }>("provisioning", "datasources", "kbalign.yml");
const { providers } = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>("provisioning", "dashboards", "kbalign.yml");
const prometheus = datasources.find((source) => source.type === "prometheus");
// Panels that draw no query of their own.
const LAYOUT = new Set(["row", "text"]);
const PANEL_TYPES = new Set(["timeseries", "stat", "gauge", "heatmap", "table", "bargauge", "barchart", "state-timeline", "histogram"]);

describe("Grafana data sources", () => {
  it("provision Prometheus with exemplars whose trace_id opens the Jaeger data source", () => {
    expect(prometheus?.uid).toBe("kbalign-prometheus");
    const [destination] = prometheus?.jsonData?.exemplarTraceIdDestinations ?? [];
    expect(destination?.name).toBe("trace_id");
    const jaeger = datasources.find((source) => source.uid === destination?.datasourceUid);
    expect(jaeger?.type).toBe("jaeger");
  });

  it("point the dashboard provider at the folder compose.yaml mounts the dashboards into", () => {
    expect(providers).toHaveLength(1);
    expect(providers[0]?.type).toBe("file");
    const compose = readFileSync(join(paths.grafana, "..", "compose.yaml"), "utf8");
    expect(compose).toContain(`./grafana/dashboards:${providers[0]?.options.path}:ro`);
  });
});

describe.each(dashboards().map((dashboard) => [dashboard.file, dashboard] as const))("dashboard %s", (file, dashboard) => {
  const { json } = dashboard;
  const panels = allPanels(dashboard);

  it("has the fields Grafana needs to load and provision it", () => {
    expect(json.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(typeof json.title === "string" && json.title.length > 0).toBe(true);
    expect(typeof json.schemaVersion === "number" && json.schemaVersion >= 36).toBe(true);
    expect(Array.isArray(json.panels) && json.panels.length > 0).toBe(true);
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("gives every panel a known type, a place on the grid, and Prometheus queries with a refId", () => {
    for (const panel of panels) {
      const where = `${file}: panel ${String(panel.title)}`;
      expect(typeof panel.title, where).toBe("string");
      const grid = panel.gridPos as { h?: unknown; w?: unknown; x?: unknown; y?: unknown } | undefined;
      for (const key of ["h", "w", "x", "y"] as const) expect(Number.isInteger(grid?.[key]), `${where}: gridPos.${key}`).toBe(true);
      expect(Number(grid?.x) + Number(grid?.w), `${where}: fits in 24 columns`).toBeLessThanOrEqual(24);
      if (LAYOUT.has(String(panel.type))) continue;
      expect(PANEL_TYPES, where).toContain(panel.type);
      expect(panel.datasource, where).toEqual({ type: "prometheus", uid: prometheus?.uid });
      expect(panel.targets?.length, where).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, `${where}: unique refIds`).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(typeof target.refId, where).toBe("string");
        expect(typeof target.expr === "string" && target.expr.length > 0, where).toBe(true);
      }
    }
  });

  it("turns exemplars on in every latency-histogram panel, so a spike opens its trace", () => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr === "string" && /_seconds_bucket\b/.test(target.expr)) {
          expect(target.exemplar, `${file}: ${String(panel.title)}`).toBe(true);
        }
      }
    }
  });

  it("runs only valid PromQL (each query checked by promtool as a recording rule)", () => {
    // Grafana's variables, as Grafana would substitute them.
    const exprs = dashboardExpressions(dashboard).map((expr) => expr.replaceAll("$__rate_interval", "1m").replaceAll("$stage", ".*"));
    const rules = { groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] };
    const dir = mkdtempSync(join(tmpdir(), "kbalign-dashboard-"));
    try {
      writeFileSync(join(dir, "queries.yml"), stringify(rules));
      const { status, output } = runPromtool(["check", "rules", "queries.yml"], dir);
      expect(status, output).toBe(0);
      expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has a uid no other dashboard has", () => {
    expect(dashboards().filter((other) => other.json.uid === json.uid)).toHaveLength(1);
  });
});
