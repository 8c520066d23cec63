import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dashboardExpressions, dashboards } from "./dashboards.js";
import { paths } from "./paths.js";
import { metricFamily, promqlMetricNames } from "./promql-metric-names.js";
import { ruleGroups } from "./rule-files.js";

// docs/metrics.md lists what the services export; test/e2e/up.test.ts checks it against the
// /metrics of a running stack. These tests close the loop: a rule or a panel may only read a
// documented metric, so a renamed metric fails here instead of drawing an empty graph.
const docs = readFileSync(join(paths.docs, "metrics.md"), "utf8");
const documented = new Map([...docs.matchAll(/^\| `(kbalign_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1]!, m[2]!]));
// The Node.js runtime's (prom-client's default metrics) and Prometheus' own.
const isRuntime = (name: string) => /^(process|nodejs)_/.test(name) || name === "up";
const recorded = new Set(ruleGroups("recording.yml").flatMap((group) => group.rules.map((rule) => rule.record!)));

/** Names `exprs` read that neither docs/metrics.md, the runtime nor recording.yml provide. */
function undocumented(exprs: string[]): string[] {
  const missing = new Set<string>();
  for (const name of exprs.flatMap(promqlMetricNames)) {
    if (name.includes(":")) {
      if (!recorded.has(name)) missing.add(name);
      continue;
    }
    if (isRuntime(name)) continue;
    const family = metricFamily(name);
    const type = documented.get(family) ?? documented.get(name);
    if (!type) missing.add(name);
    else if (family !== name && type !== "histogram") missing.add(`${name} (${family} is a ${type})`);
  }
  return [...missing].sort();
}

describe("metric names", () => {
  it("docs/metrics.md documents the metrics (sanity check of its table format)", () => {
    expect(documented.get("kbalign_requests_total")).toBe("counter");
    expect(documented.get("kbalign_response_time_seconds")).toBe("histogram");
  });

  it("every metric the alert and recording rules read is documented in docs/metrics.md", () => {
    const exprs = [...ruleGroups("alerts.yml"), ...ruleGroups("recording.yml")].flatMap((group) => group.rules.map((rule) => rule.expr));
    expect(exprs.flatMap(promqlMetricNames)).toContain("kbalign_response_time_seconds_bucket");
    expect(undocumented(exprs)).toEqual([]);
  });

  it.each(dashboards().map((dashboard) => [dashboard.file, dashboard] as const))(
    "every metric dashboard %s reads is documented in docs/metrics.md",
    (_, dashboard) => {
      const exprs = dashboardExpressions(dashboard);
      expect(exprs.length).toBeGreaterThan(0);
      expect(undocumented(exprs)).toEqual([]);
    },
  );

  it("flags a name that is not documented, and a histogram suffix on a counter", () => {
    expect(undocumented(["rate(kbalign_no_such_thing_total[5m])", "kbalign_requests_total_bucket", "job:nope:rate5m"])).toEqual([
      "job:nope:rate5m",
      "kbalign_no_such_thing_total",
      "kbalign_requests_total_bucket (kbalign_requests_total is a counter)",
    ]);
  });
});
