import { isSpanContextValid, trace, TraceFlags } from "@opentelemetry/api";
import { collectDefaultMetrics, Histogram, Registry, type LabelValues, type RegistryContentType } from "prom-client";

/**
 * A registry with the process and Node.js runtime metrics, labelled with the service name.
 *
 * It is an OpenMetrics registry, because prom-client only lets histograms keep exemplars on one;
 * the ops server renders it as OpenMetrics (exemplars included) or the classic text format,
 * whichever the scraper's Accept header asks for. Typed as a plain Registry so the services and
 * their tests, which use classic registries, take either.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  (registry as unknown as Registry<RegistryContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registry.setDefaultLabels({ service });
  // Event-loop lag sampled every 100 ms, not prom-client's 10: its timer would wake each idle
  // service 100 times a second (0.7% of a core apiece here), for a p99 no one reads that finely.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}

/** True when histograms declared on this registry can keep exemplars (an OpenMetrics registry). */
export function supportsExemplars(registry: Registry): boolean {
  return (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
}

/**
 * The exemplar labels of the active span, `{ trace_id, span_id }`, or undefined when there is no
 * span, it is invalid (tracing off: the no-op span) or not sampled (its trace is not exported,
 * so a link to it would lead nowhere).
 */
export function traceExemplar(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { trace_id: span.traceId, span_id: span.spanId };
}

/**
 * Observes `value` on a histogram, with the active span's trace id as the exemplar of its bucket
 * when the histogram keeps exemplars (declared with `enableExemplars: supportsExemplars(registry)`).
 * Histograms with exemplars take `observe({ labels, value, exemplarLabels })`; this hides that.
 */
export function observeWithExemplar<T extends string>(histogram: Histogram<T>, labels: LabelValues<T>, value: number): void {
  if (!(histogram as unknown as { enableExemplars?: boolean }).enableExemplars) {
    histogram.observe(labels, value);
    return;
  }
  histogram.observe({ labels, value, exemplarLabels: (traceExemplar() ?? {}) as LabelValues<T> });
}
