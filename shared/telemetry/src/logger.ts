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
 * JSON logs with the service and version on every line. Anything that might hold a secret is
 * redacted, whatever object it is nested in.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, version: options.version ?? "dev", ...(options.instance ? { instance: options.instance } : {}) },
      redact: {
        paths: ["apiKey", "*.apiKey", "*.*.apiKey", "authorization", "*.authorization", "*.headers.authorization", "KBALIGN_LLM_API_KEY", "*.KBALIGN_LLM_API_KEY"],
        censor: "[redacted]",
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
