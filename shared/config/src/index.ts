import { z } from "zod";

/** Thrown at start-up when the environment is invalid; lists every bad variable at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

/**
 * Validates `env` against `schema` and returns a frozen, typed config. Defaults live in the schema;
 * this is the only place a service reads process.env.
 */
export function parseEnv<S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  // Treat empty strings as unset, as shells and Kubernetes manifests often produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(env)"}: ${issue.message}`),
    );
  }
  return Object.freeze(result.data);
}

export const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
export type LogLevel = z.infer<typeof LogLevel>;

export const Port = z.coerce.number().int().min(0).max(65_535);

/** Variables every kbalign process understands. */
export const SharedEnv = z.object({
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  KBALIGN_LOG_LEVEL: LogLevel.default("info"),
  /** Replica name reported to NATS and in logs; defaults to the host name (the pod name in Kubernetes). */
  KBALIGN_INSTANCE: z.string().optional(),
});
export type SharedEnv = z.infer<typeof SharedEnv>;
