import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { renderNatsServerConfig, type NatsServerConfig } from "@kbalign/contracts";
import { CliError } from "../errors.js";
import { canConnect, isPortFree } from "@kbalign/net";
import { superviseProcess, type CrashReport, type SupervisedProcess } from "./supervised-process.js";

/** How long nats-server gets to accept connections after it was started. */
const START_TIMEOUT_MS = 15_000;
/** nats-server flushes JetStream state on SIGTERM; give it time before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface NatsServerOptions {
  /** The binary: a path or a name on PATH. */
  bin: string;
  port: number;
  /** JetStream store directory (`-sd`). */
  storeDir: string;
  logFile: string;
  /** The environment it runs with (its PATH also finds `bin`). */
  env: NodeJS.ProcessEnv;
  onCrash: (report: CrashReport) => void;
  signal?: AbortSignal;
  /**
   * Settings with no command-line flag (listeners, users and permissions, …): written with
   * renderNatsServerConfig to `file` (mode 0600, it may hold passwords) and passed with `-c`; the
   * command-line flags above win over it.
   */
  config?: { file: string; settings: NatsServerConfig };
}

export interface RunningNatsServer {
  url: string;
  process: SupervisedProcess;
}

/** Fails with what to do instead when the NATS port is taken (checked before anything is created). */
export async function assertNatsPortFree(port: number): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new CliError(
      `port ${port} is already in use on 127.0.0.1 (another NATS server?): pick another with --port, ` +
        `or use the server already there with --nats nats://127.0.0.1:${port}`,
    );
  }
}

/**
 * The Go scheduler threads (GOMAXPROCS) of a local stack's nats-server: a quarter of the cores, at
 * least one, unless the environment sets GOMAXPROCS. The server shares the machine with the three
 * services (and usually the clients); Go starts one thread per core and, on each message's wake-up,
 * idle ones spin looking for work, CPU the services then lack. On 2 cores, one thread cut the
 * server's CPU per query by a fifth to two fifths (docs/performance.md).
 */
export function natsServerGoMaxProcs(env: NodeJS.ProcessEnv, cores = availableParallelism()): string {
  return env.GOMAXPROCS ?? String(Math.max(1, Math.floor(cores / 4)));
}

/** Starts `nats-server -a 127.0.0.1 -p PORT -js -sd DIR [-c FILE]`, supervised, and waits until it listens. */
export async function launchNatsServer(options: NatsServerOptions): Promise<RunningNatsServer> {
  await assertNatsPortFree(options.port);
  const args = ["-a", "127.0.0.1", "-p", String(options.port), "-js", "-sd", options.storeDir];
  if (options.config) {
    await writeFile(options.config.file, renderNatsServerConfig(options.config.settings), { mode: 0o600 });
    args.push("-c", options.config.file);
  }
  const server = superviseProcess({
    name: "nats-server",
    command: options.bin,
    args,
    env: { ...options.env, GOMAXPROCS: natsServerGoMaxProcs(options.env) },
    logFile: options.logFile,
    stopGraceMs: STOP_GRACE_MS,
    onCrash: options.onCrash,
  });
  await server.start().catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") {
      throw new CliError(
        `nats-server is not installed (looked for '${options.bin}'): install it with \`apt-get install nats-server\` ` +
          "(Debian/Ubuntu), or set KBALIGN_NATS_SERVER to the path of a nats-server binary",
      );
    }
    throw new CliError(`cannot run ${options.bin}: ${err.message}`);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(options.port, "127.0.0.1", 500))) {
    if (server.crashes() > 0 || Date.now() > deadline || options.signal?.aborted) {
      const tail = server.tail();
      await server.stop();
      if (options.signal?.aborted) options.signal.throwIfAborted();
      throw new CliError(
        `nats-server did not start on port ${options.port}${tail.length > 0 ? `:\n  ${tail.slice(-5).join("\n  ")}` : ""}\n  (log: ${options.logFile})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `nats://127.0.0.1:${options.port}`, process: server };
}
