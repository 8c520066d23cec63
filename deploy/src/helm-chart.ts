import { stringify } from "yaml";
import { objectId, type KubeObject } from "./kube-object.js";
import { SERVICES } from "./paths.js";

/** A chart template: its file name under templates/ and its text. */
export interface ChartTemplate {
  name: string;
  text: string;
}

/** A field of a rendered object that the chart takes from values.yaml instead. */
interface Slot {
  kind: string;
  name: string;
  path: Array<string | number>;
  /** The template text that replaces the field's value in the YAML (quoted for strings). */
  template: string;
}

const SERVICE_SLOTS: Slot[] = SERVICES.flatMap((service) => [
  {
    kind: "Deployment",
    name: `kbalign-${service}`,
    path: ["spec", "template", "spec", "containers", 0, "image"],
    template: `"{{ .Values.image.repository }}/${service}:{{ .Values.image.tag }}"`,
  },
  { kind: "HorizontalPodAutoscaler", name: `kbalign-${service}`, path: ["spec", "minReplicas"], template: `{{ .Values.${service}.minReplicas }}` },
  { kind: "HorizontalPodAutoscaler", name: `kbalign-${service}`, path: ["spec", "maxReplicas"], template: `{{ .Values.${service}.maxReplicas }}` },
]);

/**
 * The few fields an installation changes through values.yaml (images, autoscaling bounds, the
 * NATS image and volume size); everything else is the kustomize base as rendered.
 */
export const SLOTS: Slot[] = [
  ...SERVICE_SLOTS,
  { kind: "StatefulSet", name: "kbalign-nats", path: ["spec", "template", "spec", "containers", 0, "image"], template: `"{{ .Values.nats.image }}"` },
  { kind: "StatefulSet", name: "kbalign-nats", path: ["spec", "volumeClaimTemplates", 0, "spec", "resources", "requests", "storage"], template: `"{{ .Values.nats.storage }}"` },
  { kind: "StatefulSet", name: "kbalign-nats", path: ["spec", "template", "spec", "containers", 0, "env", 2, "value"], template: `"{{ .Values.nats.maxFileStore }}"` },
];

/** Objects that need the Prometheus Operator's CRDs or Grafana's sidecar: installed when monitoring.enabled. */
const MONITORING = new Set(["PodMonitor/kbalign-services", "PrometheusRule/kbalign-rules", "ConfigMap/kbalign-grafana-dashboards", "ConfigMap/kbalign-grafana-datasource"]);

const token = (index: number): string => `__kbalign_chart_value_${index}__`;

function setAt(object: KubeObject, path: Array<string | number>, value: string): void {
  let node: unknown = object;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown> | undefined)?.[key];
  const last = path.at(-1) as string | number;
  const parent = node as Record<string | number, unknown> | undefined;
  if (parent?.[last] === undefined) throw new Error(`${objectId(object)} has no ${path.join(".")}: the chart's slot no longer matches the kustomize base`);
  parent[last] = value;
}

/**
 * Helm would evaluate the `{{ … }}` the objects themselves carry (alert annotations, dashboard
 * legends): each becomes a raw-string action, {{`{{ $labels.job }}`}}, which Helm prints as it was.
 */
function escapeActions(text: string, where: string): string {
  const escaped = text.replace(/\{\{.*?\}\}/g, (action) => {
    if (action.includes("`")) throw new Error(`${where}: cannot escape ${action} for Helm (it holds a backtick)`);
    return `{{\`${action}\`}}`;
  });
  if (/\{\{(?!`)/.test(escaped.replace(/\{\{`[^`]*`\}\}/g, ""))) throw new Error(`${where}: a {{ with no }} on its line`);
  return escaped;
}

const fileName = (object: KubeObject): string => `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;

/**
 * The chart's templates from the kustomize base's objects: one file per object, the slots' fields
 * replaced by references to values.yaml, the monitoring objects behind `monitoring.enabled`.
 */
export function chartTemplates(objects: KubeObject[]): ChartTemplate[] {
  const used = new Set<Slot>();
  const templates = objects.map((original) => {
    const object = structuredClone(original);
    const slots = SLOTS.filter((slot) => slot.kind === object.kind && slot.name === object.metadata.name);
    slots.forEach((slot, index) => {
      setAt(object, slot.path, token(index));
      used.add(slot);
    });
    let text = escapeActions(stringify(object, { lineWidth: 0 }), objectId(object));
    slots.forEach((slot, index) => {
      text = text.replace(token(index), slot.template);
    });
    if (MONITORING.has(objectId(object))) text = `{{- if .Values.monitoring.enabled }}\n${text}{{- end }}\n`;
    return { name: fileName(object), text };
  });
  const unused = SLOTS.filter((slot) => !used.has(slot));
  if (unused.length > 0) throw new Error(`chart slots match no object: ${unused.map((slot) => `${slot.kind}/${slot.name}`).join(", ")}`);
  return templates.sort((a, b) => a.name.localeCompare(b.name));
}
