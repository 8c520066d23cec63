import type { NatsAuthSettings } from "@kbalign/nats";
import type { CliConfig } from "./config.js";
import type { Terminal } from "./terminal.js";

/** What every command's action receives from the composition root. */
export interface CommandContext {
  terminal: Terminal;
  config: Readonly<CliConfig>;
  /** The environment, passed through to the processes `kbalign up` starts. */
  env: NodeJS.ProcessEnv;
  /**
   * How commands log in to NATS: KBALIGN_NATS_CREDENTIALS and KBALIGN_NATS_TLS_*, with the
   * global `--credentials FILE` taking precedence (set before the action runs).
   */
  natsAuth: NatsAuthSettings;
  /** Set by the action that ran: the process's exit code (0 ok, 1 failure). */
  result: { exitCode: number };
}
