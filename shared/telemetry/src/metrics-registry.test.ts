import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Histogram, Registry } from "prom-client";
import { observeWithExemplar, supportsExemplars, traceExemplar } from "./metrics-registry.js";

describe("trace exemplars", () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it("is the active sampled span's trace and span id", () => {
    const span = trace.getTracer("test").startSpan("s");
    const { traceId, spanId } = span.spanContext();
    expect(context.with(trace.setSpan(context.active(), span), traceExemplar)).toEqual({ trace_id: traceId, span_id: spanId });
    span.end();
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

