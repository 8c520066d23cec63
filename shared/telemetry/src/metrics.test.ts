import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { context, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Histogram, Registry } from "prom-client";
import { countConnectionStatus } from "./connection-metrics.js";
import { createEndpointObserver } from "./endpoint-metrics.js";
import { startOpsServer, wantsOpenMetrics, type OpsServer } from "./http-server.js";
import { createMetricsRegistry, observeWithExemplar, supportsExemplars, traceExemplar } from "./metrics-registry.js";
import { createResourceMonitor, type ResourceSample } from "./resource-monitor.js";

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

  it("keeps no exemplar without a sampled span, and none on a classic registry", () => {
    expect(traceExemplar()).toBeUndefined();
    const unsampled = trace.wrapSpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 0 });
    expect(context.with(trace.setSpan(context.active(), unsampled), traceExemplar)).toBeUndefined();
    const classic = new Registry();
    expect(supportsExemplars(classic)).toBe(false);
    const histogram = new Histogram({ name: "h_seconds", help: "h", buckets: [1], registers: [classic] });
    const span = trace.getTracer("test").startSpan("s");
    context.with(trace.setSpan(context.active(), span), () => observeWithExemplar(histogram, {}, 0.5));
    span.end();
    return classic.metrics().then((text) => expect(text).toContain('h_seconds_bucket{le="1"} 1'));
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

describe("resource monitor", () => {
  const GiB = 1024 ** 3;
  function setup() {
    const registry = new Registry();
    const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
    const log = {
      warn: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: "warn", fields, msg }),
      info: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: "info", fields, msg }),
    };
    let at = 0;
    let current: ResourceSample = { cpuSeconds: 0, rssBytes: 100e6 };
    const monitor = createResourceMonitor({
      registry,
      log: log as never,
      limits: { cpuRatio: 0.6, memoryRatio: 0.8, memoryLimitBytes: GiB },
      warnIntervalMs: 60_000,
      sample: () => current,
      now: () => at,
    });
    // Advances the clock by `ms` during which the process used `cpuSeconds` of CPU, then checks.
    const step = (ms: number, cpuSeconds: number, rssBytes = current.rssBytes) => {
      at += ms;
      current = { cpuSeconds: current.cpuSeconds + cpuSeconds, rssBytes };
      return monitor.check();
    };
    return { registry, lines, step };
  }

  it("exports the CPU share of a core over each window", async () => {
    const { registry, step } = setup();
    expect(step(10_000, 2.5).cpuRatio).toBeCloseTo(0.25);
    expect(await registry.metrics()).toContain("kbalign_process_cpu_ratio 0.25");
  });

  it("warns when CPU is over its threshold, at most once per interval while over, and says when it is back under", () => {
    const { lines, step } = setup();
    step(10_000, 3); // 0.3 of a core
    expect(lines).toEqual([]);
    expect(step(10_000, 7).cpuOver).toBe(true); // 0.7
    expect(lines).toEqual([{ level: "warn", fields: { cpuRatio: 0.7, threshold: 0.6, windowSeconds: 10 }, msg: "cpu usage over its threshold" }]);
    for (let i = 0; i < 5; i++) step(10_000, 9); // 50 s more over: within the interval, quiet
    expect(lines).toHaveLength(1);
    step(10_000, 9); // 60 s after the first warning: again
    expect(lines).toHaveLength(2);
    step(10_000, 1);
    expect(lines[2]).toEqual({ level: "info", fields: { cpuRatio: 0.1, threshold: 0.6, windowSeconds: 10 }, msg: "cpu usage back under its threshold" });
    step(10_000, 1);
    expect(lines).toHaveLength(3);
  });

  it("warns when the resident memory is over its share of the limit", () => {
    const { lines, step } = setup();
    step(10_000, 0, 0.79 * GiB);
    expect(lines).toEqual([]);
    expect(step(10_000, 0, 0.9 * GiB).memoryOver).toBe(true);
    expect(lines).toEqual([
      {
        level: "warn",
        fields: { rssBytes: 0.9 * GiB, thresholdBytes: Math.round(0.8 * GiB), limitBytes: GiB, threshold: 0.8 },
        msg: "memory usage over its threshold",
      },
    ]);
    step(10_000, 0, 0.5 * GiB);
    expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual(["warn memory usage over its threshold", "info memory usage back under its threshold"]);
  });
});

describe("countConnectionStatus", () => {
  it("counts reconnects and disconnects from the status iterator", async () => {
    const registry = new Registry();
    async function* statuses() {
      yield* [{ type: "disconnect" }, { type: "reconnecting" }, { type: "reconnect" }, { type: "ping" }, { type: "disconnect" }, { type: "reconnect" }];
    }
    await countConnectionStatus(statuses(), registry);
    const text = await registry.metrics();
    expect(text).toContain("kbalign_nats_reconnects_total 2");
    expect(text).toContain("kbalign_nats_disconnects_total 2");
  });
});
