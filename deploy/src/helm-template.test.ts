import { describe, expect, it } from "vitest";
import { resolveTemplate } from "./helm-template.js";

describe("resolveTemplate", () => {
  it("refuses template actions outside the subset it checks", () => {
    expect(() => resolveTemplate("name: {{ .Release.Name }}", {}, "x.yaml")).toThrow("x.yaml: unsupported template action {{ .Release.Name }}");
    expect(() => resolveTemplate("replicas: {{ .Values.missing }}", {}, "x.yaml")).toThrow(".Values.missing is not set");
    expect(() => resolveTemplate("{{- if .Values.a }}\nx: 1\n", { a: true }, "x.yaml")).toThrow("if without end");
  });

  it("keeps or drops a whole file on an if, as Helm's truthiness says", () => {
    const file = "{{- if .Values.on }}\nkind: X\n{{- end }}\n";
    expect(resolveTemplate(file, { on: true }, "x.yaml").trim()).toBe("kind: X");
    for (const off of [false, 0, "", []]) expect(resolveTemplate(file, { on: off }, "x.yaml").trim(), JSON.stringify(off)).toBe("");
  });

  it("prints raw strings as they are", () => {
    expect(resolveTemplate("summary: {{`{{ $value }}`}} at {{ .Values.a.b }}", { a: { b: 3 } }, "x.yaml")).toBe("summary: {{ $value }} at 3");
  });
});
