import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "@kbalign/net";
import { renderNatsServerConfig, type NatsServerConfig, type NatsServerUser } from "@kbalign/contracts";

export interface NatsServerOptions {
  /** Enable JetStream with a store under a fresh temporary directory (default true). */
  jetstream?: boolean;
  /** Reuse a store directory, e.g. to restart a server and keep its streams. */
  storeDir?: string;
  port?: number;
  /** The server's `max_payload` in bytes (its default is 1 MiB), e.g. small to test payload budgets. */
  maxPayloadBytes?: number;
  /** Users with passwords and permissions (e.g. `roleUsers(...)`): the server then requires a login. */
  users?: readonly NatsServerUser[];
  /** TLS on the client port (see NatsServerConfig.tls); the URL then starts with tls://. */
  tls?: NatsServerConfig["tls"];
  /** Also listen for NATS over WebSocket (plain ws://, no TLS) on this port. */
  websocketPort?: number;
  /** Also serve HTTP monitoring (/varz, /connz…) on this port (`-m`). */
  monitorPort?: number;
}

export interface TestNatsServer {
  url: string;
  port: number;
  storeDir: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and removes a store directory it created. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port and store. */
  restart(): Promise<void>;
}

const NATS_SERVER_BIN = process.env.KBALIGN_NATS_SERVER ?? "nats-server";

/** Starts a real `nats-server` on a free port, like nats.js's own test helper. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<TestNatsServer> {
  const port = options.port ?? (await freePort());
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), "kbalign-nats-")));
  const jetstream = options.jetstream ?? true;

  const launch = async (): Promise<ChildProcess> => {
    const args = ["-a", "127.0.0.1", "-p", String(port)];
    if (jetstream) args.push("-js", "-sd", storeDir);
    if (options.monitorPort !== undefined) args.push("-m", String(options.monitorPort));
    if (options.maxPayloadBytes !== undefined || options.users !== undefined || options.tls !== undefined || options.websocketPort !== undefined) {
      // nats-server has no command-line flags for these: a config file (flags still win).
      const configFile = join(storeDir, "nats-server.conf");
      const config = renderNatsServerConfig({
        ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
        ...(options.users === undefined ? {} : { users: options.users }),
        ...(options.tls === undefined ? {} : { tls: options.tls }),
        ...(options.websocketPort === undefined ? {} : { websocket: `127.0.0.1:${options.websocketPort}` }),
      });
      await writeFile(configFile, config, { mode: 0o600 });
      args.push("-c", configFile);
    }
    const child = spawn(NATS_SERVER_BIN, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const exited = new Promise<never>((_, reject) => {
      child.once("error", (err) => reject(new Error(`cannot run ${NATS_SERVER_BIN}: ${err.message}`)));
      child.once("exit", (code) => reject(new Error(`nats-server exited with ${code}: ${stderr}`)));
    });
    await Promise.race([waitForPort(port, 10_000), exited]);
    return child;
  };

  const server: TestNatsServer = {
    url: `${options.tls ? "tls" : "nats"}://127.0.0.1:${port}`,
    port,
    storeDir,
    process: await launch(),
    async stop() {
      await stopProcess(server.process);
      if (ownStore) await rm(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await stopProcess(server.process);
      server.process = await launch();
    },
  };
  return server;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
