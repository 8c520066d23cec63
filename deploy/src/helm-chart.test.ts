import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { objectId, type KubeObject } from "./kube-object.js";
import { parseObjects } from "./kustomize.js";
import { paths } from "./paths.js";
import { policyViolations } from "./policy.js";
import { find, rendered } from "./renders.js";
import { schemaErrors } from "./schemas.js";
import { resolveTemplate } from "./helm-template.js";

const defaults = parse(readFileSync(join(paths.chart, "values.yaml"), "utf8")) as Record<string, unknown>;

/** The chart rendered as `helm template` would, with `values` (this test's subset of the language). */
function renderChart(values: Record<string, unknown>): KubeObject[] {
  const dir = join(paths.chart, "templates");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .flatMap((name) => parseObjects(resolveTemplate(readFileSync(join(dir, name), "utf8"), values, name), name));
}

const byId = (objects: KubeObject[]) => new Map(objects.map((object) => [objectId(object), object]));

describe("the Helm chart", () => {
  it("with its default values renders exactly the kustomize base, object for object", () => {
    const chart = byId(renderChart(defaults));
    const base = byId(rendered("base"));
    expect([...chart.keys()].sort()).toEqual([...base.keys()].sort());
    for (const [id, object] of base) expect(chart.get(id), id).toEqual(object);
  });

  it("takes the images, the autoscaling bounds and the NATS image and volume from the values", () => {
    const values = {
      ...defaults,
      image: { repository: "registry.example.com/kbalign", tag: "0.2.0" },
      generator: { minReplicas: 4, maxReplicas: 12 },
      nats: { image: "nats:2.10.25-alpine", storage: "40Gi", maxFileStore: "32G" },
    };
    const chart = renderChart(values);
    const generator = find(chart, "Deployment", "kbalign-generator").spec as { template: { spec: { containers: Array<{ image: string }> } } };
    expect(generator.template.spec.containers[0]!.image).toBe("registry.example.com/kbalign/generator:0.2.0");
    expect(find(chart, "HorizontalPodAutoscaler", "kbalign-generator").spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    expect(find(chart, "HorizontalPodAutoscaler", "kbalign-retriever").spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    const nats = find(chart, "StatefulSet", "kbalign-nats").spec as {
      template: { spec: { containers: Array<{ image: string }> } };
      volumeClaimTemplates: Array<{ spec: { resources: { requests: { storage: string } } } }>;
    };
    expect(nats.template.spec.containers[0]!.image).toBe("nats:2.10.25-alpine");
    expect(nats.volumeClaimTemplates[0]!.spec.resources.requests.storage).toBe("40Gi");
    expect(JSON.stringify(nats.template.spec.containers[0])).toContain(`{"name":"JS_MAX_FILE_STORE","value":"32G"}`);
    expect(chart.flatMap(schemaErrors)).toEqual([]);
    expect(policyViolations(chart)).toEqual([]);
  });

  it("leaves the monitoring objects out when monitoring is disabled", () => {
    const ids = renderChart({ ...defaults, monitoring: { enabled: false } }).map(objectId);
    expect(ids).not.toContain("PodMonitor/kbalign-services");
    expect(ids).not.toContain("PrometheusRule/kbalign-rules");
    expect(ids).not.toContain("ConfigMap/kbalign-grafana-dashboards");
    expect(ids).toContain("StatefulSet/kbalign-nats");
  });

  it("keeps the alerts' own {{ }} for Prometheus instead of letting Helm evaluate them", () => {
    const rule = find(renderChart(defaults), "PrometheusRule", "kbalign-rules");
    expect(JSON.stringify(rule)).toContain("{{ $labels.job }}");
  });

  it("has a Chart.yaml Helm 3 accepts: apiVersion v2, a name, a version and the app version the images default to", () => {
    const chart = parse(readFileSync(join(paths.chart, "Chart.yaml"), "utf8")) as Record<string, string>;
    expect(chart).toMatchObject({ apiVersion: "v2", name: "kbalign", type: "application" });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe((defaults.image as { tag: string }).tag);
  });
});

describe("resolveTemplate", () => {
  it("refuses template actions outside the subset it checks", () => {
    expect(() => resolveTemplate("name: {{ .Release.Name }}", {}, "x.yaml")).toThrow("x.yaml: unsupported template action {{ .Release.Name }}");
    expect(() => resolveTemplate("replicas: {{ .Values.missing }}", {}, "x.yaml")).toThrow(".Values.missing is not set");
    expect(() => resolveTemplate("{{- if .Values.a }}\nx: 1\n", { a: true }, "x.yaml")).toThrow("if without end");
  });

  it("prints raw strings as they are", () => {
    expect(resolveTemplate("summary: {{`{{ $value }}`}} at {{ .Values.a.b }}", { a: { b: 3 } }, "x.yaml")).toBe("summary: {{ $value }} at 3");
  });
});
