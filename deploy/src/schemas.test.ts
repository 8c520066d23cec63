import { describe, expect, it } from "vitest";
import { objectId, type KubeObject } from "./kube-object.js";
import { find, OVERLAYS, rendered } from "./renders.js";
import { schemaErrors } from "./schemas.js";

describe("every rendered object against its Kubernetes or CRD schema", () => {
  it.each(["base", ...OVERLAYS] as const)("%s: every object is valid", (overlay) => {
    const objects = rendered(overlay);
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.flatMap(schemaErrors)).toEqual([]);
  });

  it("checks the Argo Rollouts and Prometheus Operator kinds too", () => {
    const kinds = new Set(rendered("prod").map((object) => object.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(["Rollout", "AnalysisTemplate", "PodMonitor", "PrometheusRule", "StatefulSet", "NetworkPolicy"]));
  });

  it("reports a field of the wrong type, naming the object and the field", () => {
    const deployment = structuredClone(find(rendered("prod"), "Deployment", "kbalign-orchestrator")) as KubeObject & {
      spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } } };
    };
    deployment.spec.template.spec.containers[0]!.ports[0]!.containerPort = "9103";
    const errors = schemaErrors(deployment);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Deployment\/kbalign-orchestrator: .*containerPort must be integer/);
  });

  it("reports a canary step of the wrong shape in a Rollout", () => {
    const rollout = structuredClone(find(rendered("prod"), "Rollout", "kbalign-generator")) as KubeObject & {
      spec: { strategy: { canary: { steps: Array<Record<string, unknown>> } } };
    };
    rollout.spec.strategy.canary.steps[0] = { setWeight: "ten" };
    expect(schemaErrors(rollout)[0]).toMatch(/setWeight must be integer/);
  });

  it("refuses a kind it has no schema for rather than passing it", () => {
    const unknown: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } };
    expect(schemaErrors(unknown)).toEqual([`${objectId(unknown)}: no schema for example.com/v1/Widget`]);
  });
});
