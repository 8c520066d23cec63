/**
 * Resolves the subset of Helm's template language the chart uses, so a test can render the chart
 * with no `helm` binary: `{{ .Values.a.b }}` inside a line, and whole-file `{{- if .Values.x }}` …
 * `{{- end }}` lines, and raw strings {{`…`}} (how the chart keeps the objects' own `{{ … }}`). Any other action is an error, so the chart cannot silently outgrow what is
 * checked here. (Helm itself would print `<no value>` for a missing value; this refuses it.)
 */
export function resolveTemplate(text: string, values: Record<string, unknown>, file: string): string {
  const lookup = (path: string): unknown => {
    let node: unknown = values;
    for (const key of path.split(".")) node = (node as Record<string, unknown> | undefined)?.[key];
    if (node === undefined || node === null) throw new Error(`${file}: .Values.${path} is not set in values.yaml`);
    return node;
  };
  const truthy = (value: unknown): boolean => !(value === false || value === 0 || value === "" || (Array.isArray(value) && value.length === 0));

  const out: string[] = [];
  let skipping = false;
  let open = false;
  for (const line of text.split("\n")) {
    const condition = /^\{\{- if \.Values\.([\w.]+) \}\}$/.exec(line.trim());
    if (condition) {
      if (open) throw new Error(`${file}: nested if is not supported`);
      open = true;
      skipping = !truthy(lookup(condition[1] as string));
      continue;
    }
    if (line.trim() === "{{- end }}") {
      if (!open) throw new Error(`${file}: end without if`);
      open = false;
      skipping = false;
      continue;
    }
    if (skipping) continue;
    out.push(
      line.replace(/\{\{`([^`]*)`\}\}|\{\{(.*?)\}\}/g, (_, raw: string | undefined, action: string) => {
        if (raw !== undefined) return raw;
        const reference = /^ \.Values\.([\w.]+) $/.exec(action);
        if (!reference) throw new Error(`${file}: unsupported template action {{${action}}}`);
        return String(lookup(reference[1] as string));
      }),
    );
  }
  if (open) throw new Error(`${file}: if without end`);
  return out.join("\n");
}
