import { describe, expect, it } from "vitest";
import { metricFamily, promqlMetricNames } from "./promql-metric-names.js";

describe("promqlMetricNames", () => {
  it("finds the metrics under functions, aggregations and label matchers", () => {
    expect(
      promqlMetricNames('histogram_quantile(0.99, sum by (job, le) (rate(kbalign_response_time_seconds_bucket{job=~"kbalign-.*"}[5m])))'),
    ).toEqual(["kbalign_response_time_seconds_bucket"]);
  });

  it("keeps recording rules, drops keywords, numbers, ranges, offsets and Grafana variables", () => {
    const expr = `(job:kbalign_request_errors:rate5m or job:kbalign_requests:rate5m * 0) / job:kbalign_requests:rate5m > (14.4 * 1e-3)
      and on () group_left () up offset 1h unless process_resident_memory_bytes{instance="$instance"}[$__rate_interval]`;
    expect(promqlMetricNames(expr).sort()).toEqual(
      ["job:kbalign_request_errors:rate5m", "job:kbalign_requests:rate5m", "process_resident_memory_bytes", "up"].sort(),
    );
  });

  it("does not take label names in grouping clauses or label values for metrics", () => {
    expect(promqlMetricNames('sum without (instance, code) (increase(kbalign_requests_total{code!~"OK|BAD_REQUEST"}[1d]))')).toEqual([
      "kbalign_requests_total",
    ]);
  });

  it("maps histogram series to their family", () => {
    expect(metricFamily("kbalign_stage_duration_seconds_bucket")).toBe("kbalign_stage_duration_seconds");
    expect(metricFamily("kbalign_response_time_seconds_count")).toBe("kbalign_response_time_seconds");
    expect(metricFamily("kbalign_requests_total")).toBe("kbalign_requests_total");
  });
});
