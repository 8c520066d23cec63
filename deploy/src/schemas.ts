import { AnalysisTemplate, Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";
import { PodMonitor, PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import { objectId, type KubeObject } from "./kube-object.js";

/** A model of kubernetes-models: built from the object's data, its `validate()` throws on a schema error. */
type Model = new (data: never) => { validate(): void };

/**
 * The schema of every kind kbalign renders, by `apiVersion/kind`: the Kubernetes OpenAPI schemas and
 * the CRD schemas of Argo Rollouts and the Prometheus Operator, compiled into the kubernetes-models
 * packages (no cluster, no network). A kind missing here is an error, never a pass.
 */
const SCHEMAS: Record<string, Model> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
  "argoproj.io/v1alpha1/Rollout": Rollout,
  "argoproj.io/v1alpha1/AnalysisTemplate": AnalysisTemplate,
};

/** The schema errors of one object (empty when it is valid), each naming the object and the field. */
export function schemaErrors(object: KubeObject): string[] {
  const type = `${object.apiVersion}/${object.kind}`;
  const model = SCHEMAS[type];
  if (!model) return [`${objectId(object)}: no schema for ${type}`];
  try {
    new model(structuredClone(object) as never).validate();
    return [];
  } catch (err) {
    return [`${objectId(object)}: ${err instanceof Error ? err.message : String(err)}`];
  }
}
