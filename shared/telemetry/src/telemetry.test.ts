import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { context, propagation, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Counter } from "prom-client";
import { createEndpointObserver } from "./endpoint-metrics.js";
import { startOpsServer, type OpsServer } from "./http-server.js";
import { createLogger, redactUrl, REQUEST_ID_BAGGAGE_KEY } from "./logger.js";
import { createMetricsRegistry } from "./metrics-registry.js";

describe("ops server", () => {
  let server: OpsServer | undefined;
  afterEach(async () => server?.close());

  it("serves metrics, liveness and readiness", async () => {
    const registry = createMetricsRegistry("test");
    new Counter({ name: "kbalign_test_total", help: "t", registers: [registry] }).inc(3);
    createEndpointObserver(registry)({ endpoint: "retrieve", code: "OK", durationSeconds: 0.002 });
    let ready = false;
    server = await startOpsServer({ port: 0, host: "127.0.0.1", registry, ready: () => ready });
    const base = `http://127.0.0.1:${server.port}`;

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('kbalign_test_total{service="test"} 3');
    expect(metrics).toContain('kbalign_endpoint_duration_seconds_count{service="test",endpoint="retrieve",code="OK"} 1');
    expect(metrics).toContain("process_resident_memory_bytes");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe("logger", () => {
  it("writes JSON with service and version and redacts secrets wherever they are", async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
    const log = createLogger({ service: "generator", version: "1.2.3", destination: out });
    log.info({ llm: { apiKey: "sk-secret", model: "m" }, headers: { authorization: "Bearer sk-secret" } }, "calling llm");
    await new Promise((r) => setImmediate(r));
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ service: "generator", version: "1.2.3", msg: "calling llm", llm: { apiKey: "[redacted]", model: "m" } });
    expect(lines.join("\n")).not.toContain("sk-secret");
  });
});

describe("logger inside a traced request", () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it("adds trace_id, span_id and the baggage's requestId to every line, and nothing outside a request", async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
    const log = createLogger({ service: "retriever", destination: out });
    const span = trace.getTracer("test").startSpan("process kbalign.v1.retrieve");
    const baggage = propagation.createBaggage({ [REQUEST_ID_BAGGAGE_KEY]: { value: "req-7" } });
    const ctx = propagation.setBaggage(trace.setSpan(context.active(), span), baggage);
    await context.with(ctx, async () => {
      await Promise.resolve();
      log.info({ docs: 3 }, "retrieved");
    });
    log.info({}, "idle");
    span.end();
    await new Promise((r) => setImmediate(r));
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ requestId: "req-7", trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, docs: 3 });
    expect(outside).not.toHaveProperty("trace_id");
    expect(outside).not.toHaveProperty("requestId");
  });
});

describe("redactUrl", () => {
  it("hides credentials in each URL of a NATS_URL list and leaves plain ones alone", () => {
    expect(redactUrl("nats://alice:s3cret@h1:4222,nats://h2:4222")).toBe("nats://%5Bredacted%5D@h1:4222,nats://h2:4222");
    expect(redactUrl("nats://127.0.0.1:4222")).toBe("nats://127.0.0.1:4222");
  });
});
