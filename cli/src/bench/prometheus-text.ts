/** One sample line of the Prometheus text exposition format. */
export interface PromSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface PromParseResult {
  samples: PromSample[];
  /** Lines that are not valid samples, 1-based, with the reason (the rest are still parsed). */
  problems: Array<{ line: number; reason: string }>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', n: "\n" };

/**
 * Parses the text exposition format (version 0.0.4, what prom-client serves): `# HELP`/`# TYPE`
 * and other comments are skipped, label values are unescaped (`\\`, `\"`, `\n`), and an optional
 * timestamp after the value is ignored. Only as much of the format as reading a few process
 * metrics needs; histograms arrive as their plain `_bucket`/`_sum`/`_count` samples.
 * See https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export function parsePrometheusText(text: string): PromParseResult {
  const result: PromParseResult = { samples: [], problems: [] };
  text.split("\n").forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const parsed = parseSampleLine(line);
    if (typeof parsed === "string") result.problems.push({ line: index + 1, reason: parsed });
    else result.samples.push(parsed);
  });
  return result;
}

/** A sample, or why the line is not one. */
function parseSampleLine(line: string): PromSample | string {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) return "no metric name";
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    const parsed = parseLabels(rest.slice(1), labels);
    if (typeof parsed === "string") return parsed;
    rest = rest.slice(1 + parsed);
  }
  const fields = rest.trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === "") return "expected a value (and optionally a timestamp) after the name and labels";
  const value = parseValue(fields[0] ?? "");
  if (value === undefined) return `'${fields[0]}' is not a number`;
  return { name, labels, value };
}

/**
 * Reads `name="value",…}` into `into`; returns how many characters it consumed (up to and
 * including the closing brace), or why it could not.
 */
function parseLabels(text: string, into: Record<string, string>): number | string {
  let i = 0;
  const skipSpaces = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  for (;;) {
    skipSpaces();
    if (text[i] === "}") return i + 1;
    const labelName = LABEL_NAME.exec(text.slice(i))?.[0];
    if (labelName === undefined) return `bad label name at column ${i + 1} of the labels`;
    i += labelName.length;
    skipSpaces();
    if (text[i] !== "=") return `expected '=' after label '${labelName}'`;
    i++;
    skipSpaces();
    if (text[i] !== '"') return `expected a quoted value for label '${labelName}'`;
    i++;
    let value = "";
    for (;;) {
      const char = text[i];
      if (char === undefined) return `unterminated value of label '${labelName}'`;
      i++;
      if (char === '"') break;
      if (char === "\\") {
        const escaped = text[i];
        i++;
        // Unknown escapes are kept as written: the format defines only these three.
        value += escaped === undefined ? "\\" : (ESCAPES[escaped] ?? `\\${escaped}`);
      } else {
        value += char;
      }
    }
    into[labelName] = value;
    skipSpaces();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") return `expected ',' or '}' after label '${labelName}'`;
  }
}

/**
 * Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes "Nan"
 * for an empty summary), so the special values are matched case-insensitively.
 */
function parseValue(raw: string): number | undefined {
  switch (raw.toLowerCase()) {
    case "nan":
      return Number.NaN;
    case "inf":
    case "+inf":
      return Number.POSITIVE_INFINITY;
    case "-inf":
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(raw);
  return raw !== "" && !Number.isNaN(value) ? value : undefined;
}
