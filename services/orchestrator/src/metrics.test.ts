import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { createOrchestratorMetrics } from "./metrics.js";

describe("createOrchestratorMetrics", () => {
  it("declares the pinned kbalign_ instruments in base units", async () => {
    const registry = new Registry();
    const metrics = createOrchestratorMetrics(registry);
    metrics.requests.inc({ code: "OK" });
    metrics.stageDuration.observe({ stage: "recall" }, 0.004);
    const text = await registry.metrics();
    for (const name of [
      "kbalign_requests_total",
      "kbalign_response_time_seconds",
      "kbalign_stage_duration_seconds",
      "kbalign_time_to_first_event_seconds",
      "kbalign_time_to_first_data_seconds",
      "kbalign_degradations_total",
      "kbalign_in_flight_requests",
      "kbalign_retries_total",
      "kbalign_payload_cuts_total",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toContain('kbalign_requests_total{code="OK"} 1');
    expect(text).toContain('kbalign_stage_duration_seconds_bucket{le="0.005",stage="recall"} 1');
  });

  it("resolves the query and every stage from 1 ms to 30 s, with a bucket at the 100 ms target", async () => {
    const registry = new Registry();
    const metrics = createOrchestratorMetrics(registry);
    metrics.responseTime.observe(0.09);
    metrics.stageDuration.observe({ stage: "recall" }, 0.09);
    metrics.timeToFirstEvent.observe(0.09);
    metrics.timeToFirstData.observe(0.09);
    const text = await registry.metrics();
    const bounds = (name: string) => [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"`, "gm"))].map((m) => m[1]);
    const expected = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.15", "0.25", "0.5", "1", "2.5", "5", "10", "30", "+Inf"];
    expect(bounds("kbalign_response_time_seconds")).toEqual(expected);
    expect(bounds("kbalign_stage_duration_seconds")).toEqual(expected);
    expect(bounds("kbalign_time_to_first_event_seconds")).toEqual(expected);
    expect(bounds("kbalign_time_to_first_data_seconds")).toEqual(expected);
    expect(text).toContain('kbalign_response_time_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('kbalign_response_time_seconds_bucket{le="0.075"} 0');
  });

  it("refuses to declare twice on one registry", () => {
    const registry = new Registry();
    createOrchestratorMetrics(registry);
    expect(() => createOrchestratorMetrics(registry)).toThrow();
  });
});
