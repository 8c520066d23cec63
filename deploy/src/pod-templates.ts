import type { KubeObject } from "./kube-object.js";

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; resourceFieldRef?: { resource: string }; fieldRef?: unknown };
}
export interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
}
export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  securityContext?: SecurityContext;
  lifecycle?: { preStop?: unknown };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  volumes?: Array<{ name: string; secret?: { secretName: string } }>;
}
export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}

/** The kinds whose objects run pods from a template of their own. */
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "Rollout"]);

/** A workload and its pod template (a Rollout that refers to a Deployment's template has none). */
export interface Workload {
  object: KubeObject;
  template: PodTemplate;
}

/** Every object that carries a pod template of its own. */
export function workloads(objects: KubeObject[]): Workload[] {
  return objects.flatMap((object) => {
    if (!WORKLOAD_KINDS.has(object.kind)) return [];
    const template = (object.spec as { template?: PodTemplate } | undefined)?.template;
    return template ? [{ object, template }] : [];
  });
}

/** The value of an environment variable set inline in a container, if any. */
export const envValue = (container: Container, name: string): string | undefined => container.env?.find((env) => env.name === name)?.value;
