import { NodeSDK } from "@opentelemetry/sdk-node";
import { getNodeAutoInstrumentations } from "@opentelemetry/auto-instrumentations-node";

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK when an exporter is configured through the standard `OTEL_*`
 * variables (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_TRACES_EXPORTER`); otherwise tracing stays
 * a no-op and costs nothing. Spans of NATS messages come from @kbalign/nats; the
 * auto-instrumentations add HTTP and others.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const configured = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (env.OTEL_TRACES_EXPORTER && env.OTEL_TRACES_EXPORTER !== "none"));
  if (!configured || env.OTEL_SDK_DISABLED === "true") return { shutdown: async () => {} };
  env.OTEL_SERVICE_NAME ??= serviceName;
  const sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        // Noisy and irrelevant here: file-system and DNS spans on every start-up and lookup.
        "@opentelemetry/instrumentation-fs": { enabled: false },
        "@opentelemetry/instrumentation-dns": { enabled: false },
        "@opentelemetry/instrumentation-net": { enabled: false },
      }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
