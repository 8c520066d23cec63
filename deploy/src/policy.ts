import { objectId, type KubeObject } from "./kube-object.js";
import { envValue, workloads, type Container, type Workload } from "./pod-templates.js";

/**
 * Policies every rendered object must meet, beyond its schema: the rules a reviewer would
 * otherwise check by eye. Each returns its violations, each naming the object and what is wrong.
 */
type Policy = (objects: KubeObject[]) => string[];

const containersOf = ({ template }: Workload): Container[] => [...(template.spec.initContainers ?? []), ...template.spec.containers];
const perContainer = (check: (container: Container, workload: Workload) => string | undefined): Policy => (objects) =>
  workloads(objects).flatMap((workload) =>
    containersOf(workload).flatMap((container) => {
      const problem = check(container, workload);
      return problem ? [`${objectId(workload.object)} container ${container.name}: ${problem}`] : [];
    }),
  );

/** An image names a fixed version: a tag other than `latest`, or a digest. */
export const pinnedImages: Policy = perContainer(({ image }) => {
  if (!image) return "no image";
  if (image.includes("@sha256:")) return undefined;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  if (!tag) return `image ${image} has no tag (it would run :latest)`;
  return tag === "latest" ? `image ${image} uses the latest tag` : undefined;
});

/** Every long-running container has a readiness and a liveness probe. */
export const probes: Policy = (objects) =>
  perContainer((container, { object }) => {
    if (object.kind === "Job") return undefined;
    const missing = [container.readinessProbe ? "" : "readinessProbe", container.livenessProbe ? "" : "livenessProbe"].filter(Boolean);
    return missing.length > 0 ? `no ${missing.join(" and no ")}` : undefined;
  })(objects);

/** CPU and memory are requested and limited. */
export const resources: Policy = perContainer(({ resources }) => {
  const missing = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].filter((path) => {
    const [group, name] = path.split(".") as ["requests" | "limits", string];
    return !resources?.[group]?.[name];
  });
  return missing.length > 0 ? `no ${missing.join(", ")}` : undefined;
});

/** Not root, no privilege escalation, a read-only root filesystem. */
export const nonRoot: Policy = perContainer((container, { template }) => {
  const pod = template.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const problems: string[] = [];
  if (!(own.runAsNonRoot ?? pod.runAsNonRoot)) problems.push("runAsNonRoot is not true");
  if ((own.runAsUser ?? pod.runAsUser) === 0) problems.push("runAsUser is 0");
  if (own.readOnlyRootFilesystem !== true) problems.push("readOnlyRootFilesystem is not true");
  if (own.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation is not false");
  return problems.length > 0 ? problems.join(", ") : undefined;
});

/** Names of variables that hold a secret: their value must come from a Secret, never the manifest. */
const SECRET_NAME = /(PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|PRIVATE_KEY)/i;
/** Text that looks like a credential written into a ConfigMap. */
const SECRET_TEXT = /(password|passwd|token|api[_-]?key)\s*[:=]\s*\S|BEGIN [A-Z ]*PRIVATE KEY/i;

/** No Secret objects in the manifests (they are created apart), no credentials inline. */
export const noInlineSecrets: Policy = (objects) => [
  ...objects.filter((object) => object.kind === "Secret").map((object) => `${objectId(object)}: a Secret in the manifests (create it apart, see docs/deploy.md)`),
  ...perContainer((container) => {
    const inline = (container.env ?? []).filter((env) => SECRET_NAME.test(env.name) && !env.valueFrom?.secretKeyRef);
    return inline.length > 0 ? `${inline.map((env) => env.name).join(", ")} not from a Secret` : undefined;
  })(objects),
  ...objects
    .filter((object) => object.kind === "ConfigMap")
    .flatMap((object) =>
      Object.entries((object.data as Record<string, string> | undefined) ?? {})
        .filter(([, text]) => SECRET_TEXT.test(text))
        .map(([key]) => `${objectId(object)}: key ${key} holds what looks like a credential`),
    ),
];

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** Every workload's pods are covered by a PodDisruptionBudget. */
export const disruptionBudgets: Policy = (objects) => {
  const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
  return workloads(objects)
    .filter(({ object }) => object.kind !== "Job")
    .filter(({ template }) => !budgets.some((pdb) => selects((pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels, template.metadata?.labels)))
    .map(({ object }) => `${objectId(object)}: no PodDisruptionBudget selects its pods`);
};

interface ScaleTarget {
  kind: string;
  name: string;
}
/** What scales a Deployment: itself, or the Rollout that took it over through workloadRef. */
const scaledAs = (objects: KubeObject[], deployment: KubeObject): ScaleTarget => {
  const rollout = objects.find((object) => object.kind === "Rollout" && (object.spec as { workloadRef?: { name?: string } }).workloadRef?.name === deployment.metadata.name);
  return rollout ? { kind: "Rollout", name: rollout.metadata.name } : { kind: "Deployment", name: deployment.metadata.name };
};

/** Every Deployment is autoscaled, through the Rollout that runs it where there is one. */
export const autoscalers: Policy = (objects) =>
  objects
    .filter((object) => object.kind === "Deployment")
    .flatMap((deployment) => {
      const target = scaledAs(objects, deployment);
      const scaled = objects.some((object) => {
        if (object.kind !== "HorizontalPodAutoscaler") return false;
        const ref = (object.spec as { scaleTargetRef: ScaleTarget }).scaleTargetRef;
        return ref.kind === target.kind && ref.name === target.name;
      });
      return scaled ? [] : [`${objectId(deployment)}: no HorizontalPodAutoscaler scales ${target.kind}/${target.name}`];
    });

const DEFAULT_MARGIN_MS = 5_000;

/**
 * The kubelet waits for the services' own shutdown: terminationGracePeriodSeconds is at least
 * KBALIGN_SHUTDOWN_GRACE_MS (the work in flight may finish) plus KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS
 * (after which a service exits by itself), so a SIGKILL never cuts a drain short.
 */
export const terminationGrace: Policy = perContainer((container, { template }) => {
  const margin = envValue(container, "KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS");
  if (margin === undefined && envValue(container, "KBALIGN_SHUTDOWN_GRACE_MS") === undefined) return undefined;
  const neededSeconds = (Number(envValue(container, "KBALIGN_SHUTDOWN_GRACE_MS") ?? 0) + Number(margin ?? DEFAULT_MARGIN_MS)) / 1000;
  const granted = template.spec.terminationGracePeriodSeconds ?? 30;
  return granted < neededSeconds ? `terminationGracePeriodSeconds ${granted} is shorter than the shutdown's ${neededSeconds} s` : undefined;
});

/** No pod gets a Kubernetes API token it does not use. */
export const noApiToken: Policy = (objects) =>
  workloads(objects)
    .filter(({ template }) => template.spec.automountServiceAccountToken !== false)
    .map(({ object }) => `${objectId(object)}: automountServiceAccountToken is not false`);

export const POLICIES = { pinnedImages, probes, resources, nonRoot, noInlineSecrets, disruptionBudgets, autoscalers, terminationGrace, noApiToken };

/** Every violation of every policy. */
export const policyViolations = (objects: KubeObject[]): string[] => Object.values(POLICIES).flatMap((policy) => policy(objects));
