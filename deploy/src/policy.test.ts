import { describe, expect, it } from "vitest";
import type { KubeObject } from "./kube-object.js";
import type { PodTemplate } from "./pod-templates.js";
import { policyViolations, POLICIES } from "./policy.js";
import { find, OVERLAYS, rendered } from "./renders.js";

/** A copy of prod's objects with one Deployment's pod template changed by `change`. */
function prodWith(name: string, change: (template: PodTemplate, object: KubeObject) => void): KubeObject[] {
  const objects = structuredClone(rendered("prod"));
  const object = find(objects, "Deployment", name);
  change((object.spec as { template: PodTemplate }).template, object);
  return objects;
}
const container = (template: PodTemplate) => template.spec.containers[0]!;

describe("deployment policies", () => {
  it.each(["base", ...OVERLAYS] as const)("%s: no violation", (overlay) => {
    expect(policyViolations(rendered(overlay))).toEqual([]);
  });

  it("refuses the latest tag and an image with no tag", () => {
    expect(POLICIES.pinnedImages(prodWith("kbalign-retriever", (t) => (container(t).image = "kbalign/retriever:latest")))).toEqual([
      "Deployment/kbalign-retriever container retriever: image kbalign/retriever:latest uses the latest tag",
    ]);
    expect(POLICIES.pinnedImages(prodWith("kbalign-retriever", (t) => (container(t).image = "registry:5000/kbalign/retriever")))).toEqual([
      "Deployment/kbalign-retriever container retriever: image registry:5000/kbalign/retriever has no tag (it would run :latest)",
    ]);
  });

  it("requires readiness and liveness probes", () => {
    const objects = prodWith("kbalign-generator", (t) => delete container(t).readinessProbe);
    expect(POLICIES.probes(objects)).toEqual(["Deployment/kbalign-generator container generator: no readinessProbe"]);
  });

  it("probes the services' /readyz and /healthz on their ops port", () => {
    for (const name of ["kbalign-retriever", "kbalign-generator", "kbalign-orchestrator"]) {
      const { template } = find(rendered("prod"), "Deployment", name).spec as { template: PodTemplate };
      expect(container(template).readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "ops" });
      expect(container(template).livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "ops" });
      const httpPort = container(template).env?.find((env) => env.name === "KBALIGN_HTTP_PORT")?.value;
      expect(container(template).ports).toEqual([{ name: "ops", containerPort: Number(httpPort) }]);
    }
  });

  it("requires CPU and memory requests and limits", () => {
    const objects = prodWith("kbalign-orchestrator", (t) => delete container(t).resources!.limits);
    expect(POLICIES.resources(objects)).toEqual(["Deployment/kbalign-orchestrator container orchestrator: no limits.cpu, limits.memory"]);
  });

  it("refuses root, privilege escalation and a writable root filesystem", () => {
    const objects = prodWith("kbalign-orchestrator", (t) => {
      t.spec.securityContext = { runAsUser: 0 };
      container(t).securityContext = { readOnlyRootFilesystem: false };
    });
    expect(POLICIES.nonRoot(objects)).toEqual([
      "Deployment/kbalign-orchestrator container orchestrator: runAsNonRoot is not true, runAsUser is 0, readOnlyRootFilesystem is not true, allowPrivilegeEscalation is not false",
    ]);
  });

  it("refuses a credential inline, in an environment variable or a ConfigMap, and any Secret object", () => {
    const objects = prodWith("kbalign-generator", (t) => container(t).env!.push({ name: "KBALIGN_LLM_API_KEY", value: "sk-123" }));
    objects.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "kbalign-nats-auth" } });
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "leak" }, data: { "auth.conf": "users: [{user: a, password: hunter2}]" } });
    expect(POLICIES.noInlineSecrets(objects)).toEqual([
      "Secret/kbalign-nats-auth: a Secret in the manifests (create it apart, see docs/deploy.md)",
      "Deployment/kbalign-generator container generator: KBALIGN_LLM_API_KEY not from a Secret",
      "ConfigMap/leak: key auth.conf holds what looks like a credential",
    ]);
  });

  it("takes the LLM key and the NATS credentials from Secrets", () => {
    const { template } = find(rendered("prod"), "Deployment", "kbalign-generator").spec as { template: PodTemplate };
    expect(container(template).env?.find((env) => env.name === "KBALIGN_LLM_API_KEY")?.valueFrom?.secretKeyRef).toMatchObject({ name: "kbalign-llm", key: "api-key" });
    const credentials = container(template).env?.find((env) => env.name === "KBALIGN_NATS_CREDENTIALS")?.value;
    expect(credentials).toBe("/var/run/secrets/kbalign/nats/credentials.json");
    expect(template.spec.volumes?.find((volume) => volume.name === "nats-credentials")?.secret?.secretName).toBe("kbalign-nats-credentials-generator");
  });

  it("requires a PodDisruptionBudget over every workload's pods", () => {
    const objects = rendered("prod").filter((object) => !(object.kind === "PodDisruptionBudget" && object.metadata.name === "kbalign-nats"));
    expect(POLICIES.disruptionBudgets(objects)).toEqual(["StatefulSet/kbalign-nats: no PodDisruptionBudget selects its pods"]);
  });

  it("requires an autoscaler on the workload that owns the replicas: the Rollout where there is one", () => {
    const toDeployment = structuredClone(rendered("prod"));
    const hpa = find(toDeployment, "HorizontalPodAutoscaler", "kbalign-retriever");
    (hpa.spec as { scaleTargetRef: { kind: string; apiVersion: string } }).scaleTargetRef = { apiVersion: "apps/v1", kind: "Deployment", name: "kbalign-retriever" } as never;
    expect(POLICIES.autoscalers(toDeployment)).toEqual(["Deployment/kbalign-retriever: no HorizontalPodAutoscaler scales Rollout/kbalign-retriever"]);
  });

  it("gives the kubelet at least the services' grace plus margin before SIGKILL", () => {
    const objects = prodWith("kbalign-orchestrator", (t) => (t.spec.terminationGracePeriodSeconds = 12));
    expect(POLICIES.terminationGrace(objects)).toEqual([
      "Deployment/kbalign-orchestrator container orchestrator: terminationGracePeriodSeconds 12 is shorter than the shutdown's 15 s",
    ]);
  });

  it("mounts no Kubernetes API token", () => {
    const objects = prodWith("kbalign-retriever", (t) => delete t.spec.automountServiceAccountToken);
    expect(POLICIES.noApiToken(objects)).toEqual(["Deployment/kbalign-retriever: automountServiceAccountToken is not false"]);
  });

  it("hands each service its container's memory limit for the resource monitor", () => {
    for (const name of ["kbalign-retriever", "kbalign-generator", "kbalign-orchestrator"]) {
      const { template } = find(rendered("prod"), "Deployment", name).spec as { template: PodTemplate };
      expect(container(template).env?.find((env) => env.name === "KBALIGN_MEMORY_LIMIT_BYTES")?.valueFrom?.resourceFieldRef).toEqual({ resource: "limits.memory" });
    }
  });
});
