// Metric names read by a PromQL expression, for the drift tests: a rule or a panel that names a
// metric no service exports shows nothing, silently. Not a PromQL parser: it drops what cannot
// hold a metric name (strings, label matchers, grouping clauses, ranges, numbers), then keeps the
// identifiers that are not functions, keywords or aggregation parameters.

const KEYWORDS = new Set([
  "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
  "offset", "bool", "inf", "nan", "start", "end",
]);

/** Every metric name in `expr`, as written (histogram series keep their `_bucket` suffix). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/#[^\n]*/g, " ") // comments
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, " ") // string literals
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\[[^\]]*\]/g, " ") // range and subquery selectors, Grafana's [$__rate_interval]
    .replace(/\boffset\s+-?[0-9a-z]+/g, " ")
    .replace(/\$\{?\w+\}?/g, " ") // Grafana variables
    .replace(/(?<![\w:])\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, " "); // numbers
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (!name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** The exported metric a series name belongs to: `x_bucket`, `x_sum`, `x_count` are histogram `x`. */
export function metricFamily(name: string): string {
  return name.replace(/_(?:bucket|sum|count)$/, "");
}
