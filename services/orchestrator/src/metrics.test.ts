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
      "kbalign_request_duration_seconds",
      "kbalign_stage_duration_seconds",
      "kbalign_degradations_total",
      "kbalign_in_flight_requests",
      "kbalign_retries_total",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toContain('kbalign_requests_total{code="OK"} 1');
    expect(text).toContain('kbalign_stage_duration_seconds_bucket{le="0.005",stage="recall"} 1');
  });

  it("refuses to declare twice on one registry", () => {
    const registry = new Registry();
    createOrchestratorMetrics(registry);
    expect(() => createOrchestratorMetrics(registry)).toThrow();
  });
});
