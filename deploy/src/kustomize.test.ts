import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseObjects, renderKustomize } from "./kustomize.js";

const dir = mkdtempSync(join(tmpdir(), "kbalign-kustomize-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseObjects", () => {
  it("reads every document of a stream and leaves empty ones out", () => {
    const objects = parseObjects("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n", "x");
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(["ConfigMap/a", "Service/b"]);
  });

  it("names the document that is not a Kubernetes object", () => {
    expect(() => parseObjects("apiVersion: v1\nmetadata:\n  name: a\n", "render")).toThrow("render, document 0: no kind");
    expect(() => parseObjects("a: [1,\n", "render")).toThrow(/^render, document 0: /);
  });
});

describe("renderKustomize", () => {
  it("renders a kustomization with kubectl", () => {
    writeFileSync(join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: t\nconfigMapGenerator:\n  - name: c\n    literals: [a=b]\n");
    const [configMap] = renderKustomize(dir);
    expect(configMap).toMatchObject({ kind: "ConfigMap", metadata: { namespace: "t" }, data: { a: "b" } });
    expect(configMap!.metadata.name).toMatch(/^c-[a-z0-9]+$/);
  });

  it("fails with kubectl's own message, naming the folder", () => {
    const broken = mkdtempSync(join(dir, "broken-"));
    writeFileSync(join(broken, "kustomization.yaml"), "resources:\n  - missing.yaml\n");
    expect(() => renderKustomize(broken)).toThrow(new RegExp(`kubectl kustomize ${broken} failed: .*missing\\.yaml`));
  });
});
