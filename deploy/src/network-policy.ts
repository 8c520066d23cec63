import type { KubeObject } from "./kube-object.js";

/** One end of a connection: a pod (its namespace's labels too), or an address outside the cluster. */
export type Endpoint =
  | { pod: true; namespace: string; namespaceLabels: Record<string, string>; labels: Record<string, string>; ports?: Record<string, number> }
  | { pod: false };

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }>;
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}
interface PortRule {
  port?: number | string;
  protocol?: string;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PortRule[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: Array<"Ingress" | "Egress">;
  ingress?: Rule[];
  egress?: Rule[];
}

/** Whether a label selector selects these labels (an empty selector selects everything). */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return labels[key] !== undefined && values.includes(labels[key]);
      case "NotIn":
        return labels[key] === undefined || !values.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
    }
  });
  return byLabels && byExpressions;
}

function peerMatches(peer: Peer, other: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) return !other.pod;
  if (!other.pod) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, other.namespaceLabels) : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(rules: PortRule[] | undefined, port: number, protocol: string, destination: Endpoint): boolean {
  if (!rules || rules.length === 0) return true;
  return rules.some((rule) => {
    if ((rule.protocol ?? "TCP") !== protocol) return false;
    if (rule.port === undefined) return true;
    if (typeof rule.port === "number") return rule.port === port;
    return destination.pod && destination.ports?.[rule.port] === port;
  });
}

/**
 * Whether NetworkPolicies let `source` open a connection to `destination` on `port`, as the
 * Kubernetes NetworkPolicy semantics say: a pod selected by no policy of a direction is open in that
 * direction; one selected by any is open only to what some rule of theirs allows. Both the
 * source's egress and the destination's ingress must allow it.
 */
export function allowed(policies: KubeObject[], source: Endpoint, destination: Endpoint, port: number, protocol = "TCP"): boolean {
  const direction = (self: Endpoint, other: Endpoint, type: "Ingress" | "Egress"): boolean => {
    if (!self.pod) return true;
    const applying = policies.filter((policy) => {
      const spec = policy.spec as PolicySpec;
      const types = spec.policyTypes ?? (spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
      return (policy.metadata.namespace ?? self.namespace) === self.namespace && types.includes(type) && selects(spec.podSelector, self.labels);
    });
    if (applying.length === 0) return true;
    return applying.some((policy) => {
      const spec = policy.spec as PolicySpec;
      const rules = (type === "Ingress" ? spec.ingress : spec.egress) ?? [];
      return rules.some((rule) => {
        const peers = type === "Ingress" ? rule.from : rule.to;
        const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, other, self.namespace));
        return peerOk && portMatches(rule.ports, port, protocol, destination);
      });
    });
  };
  return direction(source, destination, "Egress") && direction(destination, source, "Ingress");
}
