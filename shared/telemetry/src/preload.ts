// Loaded with `node --import @kbalign/telemetry/preload <main>` before any application module, so
// the auto-instrumentations patch the modules they cover as these load. With tracing off (no
// OTEL_* exporter configured, or OTEL_SDK_DISABLED=true) it imports nothing else.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tracingEnabled } from "./tracing-env.js";

if (tracingEnabled(process.env)) {
  const { startTracingSdk } = await import("./tracing-sdk.js");
  startTracingSdk(serviceNameOf(process.argv[1]));
}

/**
 * The service name when OTEL_SERVICE_NAME is not set: from the package of the entry script,
 * `@kbalign/orchestrator` → `kbalign-orchestrator` (the names the services register in NATS).
 */
function serviceNameOf(entry: string | undefined): string | undefined {
  for (let dir = entry ? dirname(entry) : ""; dir && dir !== dirname(dir); dir = dirname(dir)) {
    let text: string;
    try {
      text = readFileSync(join(dir, "package.json"), "utf8");
    } catch {
      continue;
    }
    const name: unknown = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === "string" ? name.replace(/^@([^/]+)\//, "$1-") : undefined;
  }
  return undefined;
}
