import { describe, expect, it } from "vitest";
import { objectId } from "./kube-object.js";
import { RULE_FILES, ruleGroups } from "./observability-objects.js";
import { find, rendered } from "./renders.js";

interface Step {
  setWeight?: number;
  pause?: { duration?: string };
  analysis?: { templates: Array<{ templateName: string }> };
}
interface RolloutSpec {
  workloadRef: { apiVersion: string; kind: string; name: string; scaleDown: string };
  selector: { matchLabels: Record<string, string> };
  strategy: { canary: { steps: Step[]; analysis: { templates: Array<{ templateName: string }>; startingStep: number } } };
}
interface Metric {
  name: string;
  successCondition: string;
  failureLimit: number;
  provider: { prometheus: { query: string } };
}

const SERVICES = ["kbalign-retriever", "kbalign-generator", "kbalign-orchestrator"];
const recorded = new Set(RULE_FILES.flatMap(ruleGroups).flatMap((group) => (group as { rules: Array<{ record?: string }> }).rules.flatMap((rule) => (rule.record ? [rule.record] : []))));

describe.each(["staging", "prod"] as const)("the staged rollout in %s", (overlay) => {
  const objects = rendered(overlay);

  it("moves each service 10% → 50% → 100%, with an SLO analysis gating each step", () => {
    for (const name of SERVICES) {
      const spec = find(objects, "Rollout", name).spec as RolloutSpec;
      const steps = spec.strategy.canary.steps;
      expect(steps.flatMap((step) => (step.setWeight === undefined ? [] : [step.setWeight]))).toEqual([10, 50, 100]);
      // Between two weights: a pause, then an analysis that must pass to go on.
      const weights = steps.flatMap((step, index) => (step.setWeight === undefined ? [] : [index]));
      const gaps: Array<[number, number]> = [[weights[0]!, weights[1]!], [weights[1]!, weights[2]!]];
      for (const [from, to] of gaps) {
        const between = steps.slice(from + 1, to);
        expect(between.some((step) => step.pause?.duration), `${name} pauses between ${from} and ${to}`).toBe(true);
        expect(between.at(-1)?.analysis?.templates.map((t) => t.templateName)).toEqual(["kbalign-slo"]);
      }
      expect(spec.strategy.canary.analysis).toMatchObject({ startingStep: 1, templates: [{ templateName: "kbalign-slo" }] });
    }
  });

  it("takes each Rollout's pods from the service's Deployment, which it scales down as it takes over", () => {
    for (const name of SERVICES) {
      const spec = find(objects, "Rollout", name).spec as RolloutSpec;
      expect(spec.workloadRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name, scaleDown: "progressively" });
      const deployment = find(objects, "Deployment", name).spec as { selector: { matchLabels: Record<string, string> } };
      expect(spec.selector).toEqual(deployment.selector);
      expect((find(objects, "HorizontalPodAutoscaler", name).spec as { scaleTargetRef: unknown }).scaleTargetRef).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name });
    }
  });

  it("analyses the error ratio and p99 latency recorded by the SLO rules, and fails at the first breach", () => {
    const template = find(objects, "AnalysisTemplate", "kbalign-slo");
    const metrics = (template.spec as { metrics: Metric[] }).metrics;
    const series = metrics.map((metric) => /^([\w:]+)\{/.exec(metric.provider.prometheus.query)?.[1]);
    expect(series).toEqual(["job:kbalign_request_error_ratio:rate5m", "job:kbalign_response_time_seconds:p99_rate5m"]);
    for (const name of series) expect(recorded.has(name!), `${name} is a recording rule of observability/prometheus/rules`).toBe(true);
    for (const metric of metrics) {
      expect(metric.failureLimit).toBe(0);
      // No data is not a pass: the condition needs one value, and NaN (0/0) compares false.
      expect(metric.successCondition).toMatch(/^len\(result\) == 1 && result\[0\] <= \{\{args\.max-[\w-]+\}\}$/);
    }
  });

  it("runs no plain Deployment with replicas of its own beside the Rollouts", () => {
    for (const name of SERVICES) expect((find(objects, "Deployment", name).spec as { replicas?: number }).replicas).toBeUndefined();
  });
});

describe("clusters without Argo Rollouts", () => {
  it("dev and the base roll each Deployment out with no capacity lost (maxUnavailable 0)", () => {
    for (const overlay of ["base", "dev"] as const) {
      const objects = rendered(overlay);
      expect(objects.filter((object) => object.apiVersion.startsWith("argoproj.io")).map(objectId)).toEqual([]);
      for (const name of SERVICES) {
        expect((find(objects, "Deployment", name).spec as { strategy: unknown }).strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } });
      }
    }
  });
});
