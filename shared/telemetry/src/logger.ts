import { context, propagation, trace } from "@opentelemetry/api";
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export interface LoggerOptions {
  service: string;
  version?: string;
  level?: LevelWithSilent;
  instance?: string;
  /** Where JSON lines go (default stdout); tests pass a stream to assert on parsed output. */
  destination?: NodeJS.WritableStream;
}

/**
 * The W3C baggage entry carrying the client's requestId from the orchestrator to the retriever
 * and generator (in NATS headers, beside `traceparent`), so their log lines name the request too.
 */
export const REQUEST_ID_BAGGAGE_KEY = "kbalign.request.id";

/**
 * Paths of fields that may hold a secret, whatever object they are nested in (up to three levels:
 * pino's redaction needs explicit paths, and a wildcard per level keeps it fast).
 */
const SECRET_KEYS = ["apiKey", "authorization", "password", "token", "KBALIGN_LLM_API_KEY"];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/**
 * JSON logs with the service and version on every line. Inside a traced request each line also
 * carries `trace_id` and `span_id` of the active span and the `requestId` from its baggage (a
 * field logged explicitly wins). Anything that might hold a secret is redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, version: options.version ?? "dev", ...(options.instance ? { instance: options.instance } : {}) },
      mixin: requestCorrelation,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The active request's ids: nothing outside a request, or with tracing off (no context manager). */
function requestCorrelation(): Record<string, string> {
  const active = context.active();
  const fields: Record<string, string> = {};
  const requestId = propagation.getBaggage(active)?.getEntry(REQUEST_ID_BAGGAGE_KEY)?.value;
  if (requestId) fields.requestId = requestId;
  const spanContext = trace.getSpan(active)?.spanContext();
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  return fields;
}

/** URLs fit for a log line (one, or a comma-separated list as in NATS_URL): user names and passwords replaced. */
export function redactUrl(urls: string): string {
  return urls
    .split(",")
    .map((url) => {
      try {
        const parsed = new URL(url.trim());
        if (!parsed.username && !parsed.password) return url;
        parsed.username = "[redacted]";
        parsed.password = "";
        return parsed.toString();
      } catch {
        return url.replace(/\/\/[^@/]*@/, "//[redacted]@");
      }
    })
    .join(",");
}
