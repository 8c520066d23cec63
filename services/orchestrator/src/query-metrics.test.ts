import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Registry } from "prom-client";
import { createInProcessGenerator, createInProcessRetriever, KBAlign } from "@kbalign/pipeline";
import { createLogger, createMetricsRegistry } from "@kbalign/telemetry";
import { createAdmission } from "./admission.js";
import { createOrchestratorMetrics } from "./metrics.js";
import { createPipelineObserver } from "./pipeline-observer.js";
import { createQueryHandler, type QueryMessage } from "./query-handler.js";
import { createRequestRegistry } from "./request-registry.js";
import { createOtelStageTracer } from "./stage-tracer.js";

const corpus = { docs: [{ id: "bees", text: "Honey bees communicate with a waggle dance. The dance shows the way to flowers." }] };
const query = { query: "How do bees communicate?", collection: "docs" };
const log = createLogger({ service: "t", level: "silent" });

function setup(registry: Registry) {
  const metrics = createOrchestratorMetrics(registry);
  const pipeline = new KBAlign(createInProcessRetriever(corpus), createInProcessGenerator(), {}, createPipelineObserver(metrics, log), createOtelStageTracer({ recordContent: false }));
  const handle = createQueryHandler({ pipeline, admission: createAdmission(10), requests: createRequestRegistry(), maxRequestBytes: 1_024, metrics, log });
  return handle;
}

const message = (body: unknown): QueryMessage => ({ data: new TextEncoder().encode(JSON.stringify(body)), reply: "_INBOX.x", respond: () => true });

/** The services' registry renders as OpenMetrics by itself; the ops server picks the format per scrape. */
const openMetrics = (registry: Registry): Promise<string> => registry.metrics();

describe("time to the first event and the first data chunk", () => {
  it("are observed once per query that ran the pipeline, not for rejections", async () => {
    const registry = new Registry();
    const handle = setup(registry);
    expect(await handle(message(query))).toBe("OK");
    expect(await handle(message({ ...query, topn: 51 }))).toBe("BAD_REQUEST");
    expect(await handle(message({ ...query, collection: "other" }))).toBe("COLLECTION_NOT_FOUND");
    const text = await registry.metrics();
    expect(text).toContain("kbalign_time_to_first_event_seconds_count 2");
    expect(text).toContain("kbalign_time_to_first_data_seconds_count 1");
    expect(text).toContain("kbalign_response_time_seconds_count 3");
  });
});

describe("exemplars on the orchestrator's latency histograms", () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it("carry the trace id of the query's span on the whole query, each stage and the times to first", async () => {
    const registry = createMetricsRegistry("kbalign-orchestrator");
    const handle = setup(registry);
    const span = trace.getTracer("test").startSpan("process kbalign.v1.query");
    await context.with(trace.setSpan(context.active(), span), () => handle(message(query)));
    span.end();
    const { traceId } = span.spanContext();
    const text = await openMetrics(registry);
    for (const name of [
      "kbalign_response_time_seconds",
      "kbalign_time_to_first_event_seconds",
      "kbalign_time_to_first_data_seconds",
      "kbalign_stage_duration_seconds",
    ]) {
      expect(text).toMatch(new RegExp(`^${name}_bucket\\{[^}]*\\} 1 # \\{trace_id="${traceId}",span_id="[0-9a-f]{16}"\\} [0-9.e-]+ [0-9.]+$`, "m"));
    }
  });

  it("carry none when tracing is off", async () => {
    await provider.shutdown();
    trace.disable();
    const registry = createMetricsRegistry("kbalign-orchestrator");
    const handle = setup(registry);
    expect(await handle(message(query))).toBe("OK");
    expect(await openMetrics(registry)).not.toContain("trace_id");
  });
});
