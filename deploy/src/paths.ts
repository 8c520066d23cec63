import { fileURLToPath } from "node:url";

const at = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/** Folders the generator and the tests read, absolute (the same from src/ and dist/). */
export const paths = {
  root: at("../../"),
  deploy: at("../"),
  kustomize: at("../kustomize/"),
  base: at("../kustomize/base/"),
  overlays: at("../kustomize/overlays/"),
  chart: at("../helm/kbalign/"),
  docker: at("../docker/"),
  prometheusRules: at("../../observability/prometheus/rules/"),
  dashboards: at("../../observability/grafana/dashboards/"),
};

/** The overlays, each a namespace and a way of rolling out (layout pinned in DESIGN.md). */
export const OVERLAYS = ["dev", "staging", "prod"] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** The three services, each its own workload. */
export const SERVICES = ["retriever", "generator", "orchestrator"] as const;
export type ServiceName = (typeof SERVICES)[number];
