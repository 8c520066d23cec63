import { describe, expect, it } from "vitest";
import type { KubeObject } from "./kube-object.js";
import { allowed, type Endpoint } from "./network-policy.js";
import type { PodTemplate } from "./pod-templates.js";
import { find, rendered } from "./renders.js";

const objects = rendered("prod");
const policies = objects.filter((object) => object.kind === "NetworkPolicy");
const NAMESPACE = "kbalign";

/** A pod of a workload as the render describes it, in the prod namespace. */
function podOf(kind: string, name: string): Endpoint {
  const object: KubeObject = find(objects, kind, name);
  const { template } = object.spec as { template: PodTemplate };
  const ports = Object.fromEntries(template.spec.containers.flatMap((c) => c.ports ?? []).flatMap((p) => (p.name ? [[p.name, p.containerPort]] : [])));
  return { pod: true, namespace: object.metadata.namespace ?? NAMESPACE, namespaceLabels: { "kubernetes.io/metadata.name": NAMESPACE }, labels: template.metadata?.labels ?? {}, ports };
}
const podIn = (namespace: string, labels: Record<string, string> = {}, namespaceLabels: Record<string, string> = {}): Endpoint => ({
  pod: true,
  namespace,
  namespaceLabels: { "kubernetes.io/metadata.name": namespace, ...namespaceLabels },
  labels,
});
const outside: Endpoint = { pod: false };

const nats = podOf("StatefulSet", "kbalign-nats");
const services = ["retriever", "generator", "orchestrator"].map((service) => [service, podOf("Deployment", `kbalign-${service}`)] as const);
const prometheus = podIn("monitoring", { "app.kubernetes.io/name": "prometheus" });
const stranger = podIn("default", { app: "other" });

describe("the NetworkPolicies in prod let through what kbalign needs, and little else", () => {
  it.each(services)("the %s reaches NATS on 4222 and DNS, and is scraped by Prometheus on its ops port only", (_, pod) => {
    expect(allowed(policies, pod, nats, 4222)).toBe(true);
    expect(allowed(policies, pod, podIn("kube-system", { "k8s-app": "kube-dns" }), 53, "UDP")).toBe(true);
    const ops = (pod as { ports: Record<string, number> }).ports.ops!;
    expect(allowed(policies, prometheus, pod, ops)).toBe(true);
    expect(allowed(policies, stranger, pod, ops)).toBe(false);
    expect(allowed(policies, podIn(NAMESPACE, { "app.kubernetes.io/part-of": "kbalign" }), pod, 22)).toBe(false);
  });

  it("lets only the generator out of the cluster, to its LLM server", () => {
    const [retriever, generator, orchestrator] = services.map(([, pod]) => pod) as [Endpoint, Endpoint, Endpoint];
    expect(allowed(policies, generator, outside, 443)).toBe(true);
    expect(allowed(policies, orchestrator, outside, 443)).toBe(false);
    expect(allowed(policies, retriever, outside, 443)).toBe(false);
  });

  it("joins the NATS servers on the route port, both ways", () => {
    expect(allowed(policies, nats, nats, 6222)).toBe(true);
    expect(allowed(policies, services[0]![1], nats, 6222)).toBe(false);
  });

  it("opens NATS to clients of labelled namespaces and to WebSocket clients anywhere, not to any pod", () => {
    expect(allowed(policies, podIn("loadtest", { app: "k6" }, { "kbalign.io/nats-client": "true" }), nats, 4222)).toBe(true);
    expect(allowed(policies, stranger, nats, 4222)).toBe(false);
    expect(allowed(policies, outside, nats, 8080)).toBe(true);
    expect(allowed(policies, prometheus, nats, 8222)).toBe(true);
    expect(allowed(policies, stranger, nats, 8222)).toBe(false);
  });

  it("lets a kbalign CLI pod of the namespace (ingest, config) reach NATS", () => {
    expect(allowed(policies, podIn(NAMESPACE, { "app.kubernetes.io/part-of": "kbalign", run: "kbalign-ingest" }), nats, 4222)).toBe(true);
  });

  it("sends traces only to a collector in the monitoring namespace", () => {
    const [, orchestrator] = services[2]!;
    expect(allowed(policies, orchestrator, podIn("monitoring", { app: "otel-collector" }), 4318)).toBe(true);
    expect(allowed(policies, orchestrator, stranger, 4318)).toBe(false);
  });
});

describe("allowed", () => {
  it("leaves a pod no policy selects open, and closes one a policy selects to anything not listed", () => {
    const open = podIn("x", { app: "a" });
    expect(allowed([], stranger, open, 1234)).toBe(true);
    const denyAll: KubeObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "d", namespace: "x" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
    expect(allowed([denyAll], stranger, open, 1234)).toBe(false);
  });
});
