import { activeTracing, tracingEnabled, type TracingHandle } from "./tracing-env.js";

export { tracingEnabled, type TracingHandle } from "./tracing-env.js";

export interface Tracing extends TracingHandle {
  /** True when the SDK had to be started now, the process having been started without the preload. */
  startedLate: boolean;
}

/**
 * The tracing of this process: the SDK the preload (`--import @kbalign/telemetry/preload`)
 * started, or, when the process was started without it but `OTEL_*` asks for traces, the SDK
 * started now (spans of NATS messages work; auto-instrumentation of modules already loaded does
 * not). Tracing off: a no-op, and the SDK is never imported.
 */
export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const preloaded = activeTracing();
  if (preloaded) return { startedLate: false, shutdown: () => preloaded.shutdown() };
  if (!tracingEnabled(env)) return { startedLate: false, shutdown: async () => {} };
  const { startTracingSdk } = await import("./tracing-sdk.js");
  const late = startTracingSdk(serviceName, env);
  return { startedLate: true, shutdown: () => late.shutdown() };
}
