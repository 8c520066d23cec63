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
  /** Resource monitor: warn when the process uses more than this share of one CPU core over a window. */
  KBALIGN_CPU_WARN_RATIO: z.coerce.number().positive().default(0.6),
  /** Resource monitor: the memory the process may use (its container limit); 1 GiB by default. */
  KBALIGN_MEMORY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 ** 3),
  /** Resource monitor: warn when the resident memory is over this share of KBALIGN_MEMORY_LIMIT_BYTES. */
  KBALIGN_MEMORY_WARN_RATIO: z.coerce.number().gt(0).max(1).default(0.8),
  /** Resource monitor: how often CPU and memory are sampled (the CPU window). */
  KBALIGN_RESOURCE_SAMPLE_MS: z.coerce.number().int().min(100).default(10_000),
  /** Resource monitor: while over a threshold, repeat the warning at most this often. */
  KBALIGN_RESOURCE_WARN_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Shutdown: once work has ended, how long the NATS drain may take before the connection is just closed. */
  KBALIGN_SHUTDOWN_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  /**
   * Shutdown: the hard deadline is the service's grace period (KBALIGN_SHUTDOWN_GRACE_MS, 0 where it
   * has none) plus this, counted from SIGTERM; a process still alive then exits with code 1, whatever
   * hangs (a drain with NATS down). A margin rather than an absolute time, so it can never fall
   * inside the grace period.
   */
  KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  /**
   * Replicas of the JetStream state kbalign creates (the KB stream, the config bucket) when it is
   * missing: 1 on a single server, 3 on a three-node cluster (one copy per server). At most 5, and no
   * more than the cluster has servers, or JetStream refuses to create it.
   */
  KBALIGN_JS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
});
export type SharedEnv = z.infer<typeof SharedEnv>;
