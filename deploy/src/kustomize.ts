import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";
import { asKubeObject, type KubeObject } from "./kube-object.js";

/** Parses a multi-document YAML stream into objects; empty documents are left out. */
export function parseObjects(text: string, where: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${where}, document ${index}: ${doc.errors[0]?.message}`);
      return doc.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined)
    .map((value, index) => asKubeObject(value, `${where}, document ${index}`));
}

/**
 * `kubectl kustomize DIR` (offline: kustomize is built into kubectl), as text. Fails with kubectl's
 * own message when a kustomization is wrong, or says how to get kubectl when it is missing.
 */
export function kustomizeText(dir: string): string {
  try {
    return execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const error = err as NodeJS.ErrnoException & { stderr?: string };
    if (error.code === "ENOENT") throw new Error("kubectl is not installed: it renders the kustomizations (apt-get install kubectl, or a release binary on PATH)");
    throw new Error(`kubectl kustomize ${dir} failed: ${error.stderr?.trim() || error.message}`);
  }
}

/** The objects of a kustomization, rendered by `kubectl kustomize`. */
export const renderKustomize = (dir: string): KubeObject[] => parseObjects(kustomizeText(dir), dir);
