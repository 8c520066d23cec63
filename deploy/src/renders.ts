import type { KubeObject } from "./kube-object.js";
import { renderKustomize } from "./kustomize.js";
import { OVERLAYS, paths, type Overlay } from "./paths.js";
import { join } from "node:path";

const cache = new Map<string, KubeObject[]>();

/** The objects of an overlay (or of the base), rendered once per process. */
export function rendered(overlay: Overlay | "base"): KubeObject[] {
  let objects = cache.get(overlay);
  if (!objects) {
    objects = renderKustomize(overlay === "base" ? paths.base : join(paths.overlays, overlay));
    cache.set(overlay, objects);
  }
  return objects;
}

/** The one object of that kind and name; throws naming what is missing. */
export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object) throw new Error(`no ${kind}/${name} among ${objects.length} objects`);
  return object;
}

export { OVERLAYS };
