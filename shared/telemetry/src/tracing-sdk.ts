import { register } from "node:module";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { getNodeAutoInstrumentations } from "@opentelemetry/auto-instrumentations-node";
import type { IncomingMessage } from "node:http";
import { setActiveTracing, type TracingHandle } from "./tracing-env.js";

/**
 * Starts the OpenTelemetry Node SDK, configured by the standard `OTEL_*` variables alone (exporter,
 * endpoint, protocol, sampler, resource attributes, batch delay…). Only ever imported dynamically,
 * once tracing is known to be on: the SDK and the instrumentations cost ~100 ms of start-up.
 */
export function startTracingSdk(serviceName: string | undefined, env: NodeJS.ProcessEnv = process.env): TracingHandle {
  if (serviceName) env.OTEL_SERVICE_NAME ??= serviceName;
  // ES modules are patched only through a loader hook (import-in-the-middle); CommonJS ones
  // (pino, undici…) through require. Registered before the application's modules load.
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);
  const sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        // Noisy and irrelevant here: file-system and DNS spans on every start-up and lookup.
        "@opentelemetry/instrumentation-fs": { enabled: false },
        "@opentelemetry/instrumentation-dns": { enabled: false },
        "@opentelemetry/instrumentation-net": { enabled: false },
        // Logs get trace_id/span_id from the logger's own mixin (logger.ts), with or without the SDK.
        "@opentelemetry/instrumentation-pino": { enabled: false },
        // The only HTTP server is the ops server: a span per Prometheus scrape or probe is noise.
        "@opentelemetry/instrumentation-http": { ignoreIncomingRequestHook: (_req: IncomingMessage) => true },
      }),
    ],
  });
  sdk.start();
  const handle: TracingHandle = { shutdown: () => sdk.shutdown() };
  setActiveTracing(handle);
  return handle;
}
