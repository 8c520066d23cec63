import { z } from "zod";
import { parseEnv, SharedEnv } from "@kbalign/config";

const CliEnv = SharedEnv.extend({
  /** The nats-server binary `kbalign up` runs (a path, or a name looked up on PATH). */
  KBALIGN_NATS_SERVER: z.string().default("nats-server"),
  /** The Prometheus binary `kbalign up` runs when installed (a path, or a name looked up on PATH; default `prometheus`). */
  KBALIGN_PROMETHEUS: z.string().min(1).optional(),
});
export type CliConfig = z.infer<typeof CliEnv>;

/** The only reader of the environment in the CLI. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Readonly<CliConfig> => parseEnv(CliEnv, env);
