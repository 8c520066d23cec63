// Imported by the preload of every service process: keep it free of imports, so a process with
// tracing off pays for nothing more than this file.

/**
 * True when the standard `OTEL_*` variables ask for traces: an OTLP endpoint or a traces
 * exporter other than "none" is set, and `OTEL_SDK_DISABLED` is not "true".
 */
export function tracingEnabled(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter === "none") return false;
  return Boolean(exporter || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** The started SDK, shared between the preload and the application's own copy of this package. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

const HANDLE = Symbol.for("kbalign.telemetry.tracing");

/** Kept on globalThis: the preload and the application may load this module under different URLs. */
export function activeTracing(): TracingHandle | undefined {
  return (globalThis as { [HANDLE]?: TracingHandle })[HANDLE];
}

export function setActiveTracing(handle: TracingHandle): void {
  (globalThis as { [HANDLE]?: TracingHandle })[HANDLE] = handle;
}
