import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { context, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createEndpointObserver } from "./endpoint-metrics.js";
import { startOpsServer, wantsOpenMetrics, type OpsServer } from "./http-server.js";
import { createMetricsRegistry, supportsExemplars } from "./metrics-registry.js";

// What Prometheus sends by default.
const PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

describe("exemplars on /metrics", () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());
  let server: OpsServer | undefined;
  afterEach(async () => server?.close());

  it("serves OpenMetrics with the active span's trace id when asked, the classic format without exemplars otherwise", async () => {
    const registry = createMetricsRegistry("test");
    expect(supportsExemplars(registry)).toBe(true);
    const observe = createEndpointObserver(registry);
    const span = trace.getTracer("test").startSpan("process kbalign.v1.retrieve");
    const { traceId, spanId } = span.spanContext();
    context.with(trace.setSpan(context.active(), span), () => observe({ endpoint: "retrieve", code: "OK", durationSeconds: 0.004 }));
    span.end();
    observe({ endpoint: "retrieve", code: "OK", durationSeconds: 0.02 }); // no active span: no exemplar
    server = await startOpsServer({ port: 0, host: "127.0.0.1", registry, ready: () => true });
    const url = `http://127.0.0.1:${server.port}/metrics`;

    const open = await fetch(url, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(open.headers.get("content-type")).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    const openText = await open.text();
    const exemplarLine = openText.split("\n").find((line) => line.includes("# {trace_id="));
    expect(exemplarLine).toMatch(
      new RegExp(`^kbalign_endpoint_duration_seconds_bucket\\{le="0.005",service="test",endpoint="retrieve",code="OK"\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\} 0.004 \\d+(\\.\\d+)?$`),
    );
    expect(openText.match(/# \{trace_id=/g)).toHaveLength(1);
    expect(openText).toContain("# TYPE process_cpu_seconds counter");
    expect(openText).toContain('process_cpu_seconds_total{service="test"}');
    expect(openText.endsWith("# EOF\n")).toBe(true);

    // Classic: no exemplars, and the counters kept their _total (prom-client strips it for OpenMetrics).
    for (const headers of [{}, { accept: "text/plain;version=0.0.4" }] as Record<string, string>[]) {
      const classic = await fetch(url, { headers });
      expect(classic.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const text = await classic.text();
      expect(text).not.toContain("trace_id");
      expect(text).not.toContain("# EOF");
      expect(text).toContain("# TYPE process_cpu_seconds_total counter");
      expect(text).toContain('kbalign_endpoint_duration_seconds_bucket{le="0.005",service="test",endpoint="retrieve",code="OK"} 1');
    }
  });

  it("renders scrapes of both formats at once without mixing them", async () => {
    const registry = createMetricsRegistry("test");
    server = await startOpsServer({ port: 0, host: "127.0.0.1", registry, ready: () => true });
    const url = `http://127.0.0.1:${server.port}/metrics`;
    const texts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => fetch(url, { headers: { accept: i % 2 ? PROMETHEUS_ACCEPT : "text/plain" } }).then((r) => r.text())),
    );
    texts.forEach((text, i) => expect(text.endsWith("# EOF\n")).toBe(i % 2 === 1));
    texts.forEach((text, i) => expect(text.includes("# TYPE process_cpu_seconds_total counter")).toBe(i % 2 === 0));
  });
});

describe("/metrics?name[]=…", () => {
  let server: OpsServer | undefined;
  afterEach(async () => server?.close());

  it("renders only the metrics named, with their labels, and skips names it does not hold", async () => {
    const registry = createMetricsRegistry("test");
    server = await startOpsServer({ port: 0, host: "127.0.0.1", registry, ready: () => true });
    const base = `http://127.0.0.1:${server.port}/metrics`;
    const only = `${base}?name[]=process_cpu_user_seconds_total&name[]=process_cpu_seconds_total&name[]=process_resident_memory_bytes&name[]=no_such_metric`;
    const response = await fetch(only);
    expect(response.status).toBe(200);
    const text = await response.text();
    const metricNames = new Set(text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).map((line) => line.split(/[{ ]/)[0]));
    expect(metricNames).toEqual(new Set(["process_cpu_user_seconds_total", "process_cpu_seconds_total", "process_resident_memory_bytes"]));
    expect(text).toMatch(/^process_resident_memory_bytes\{service="test"\} \d+$/m);
    // The CPU counter is collected afresh on each such scrape.
    const cpu = (body: string) => Number(/^process_cpu_seconds_total\{service="test"\} (\S+)$/m.exec(body)?.[1]);
    const before = cpu(text);
    const until = performance.now() + 50;
    while (performance.now() < until);
    expect(cpu(await (await fetch(only)).text())).toBeGreaterThan(before);
    // The whole registry is far larger.
    expect((await (await fetch(base)).text()).length).toBeGreaterThan(text.length * 5);
  });
});

describe("wantsOpenMetrics", () => {
  it.each([
    [PROMETHEUS_ACCEPT, true],
    ["application/openmetrics-text", true],
    ["application/openmetrics-text;q=0, text/plain", false],
    ["text/plain", false],
    ["*/*", false],
    [undefined, false],
  ])("%s → %s", (accept, expected) => expect(wantsOpenMetrics(accept)).toBe(expected));
});
