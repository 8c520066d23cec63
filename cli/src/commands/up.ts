import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { NatsConnection } from "@kbalign/nats";
import { parseListenerPort, parseOpsPortBase, parsePort, parseReplicas } from "../arguments.js";
import type { CommandContext } from "../command-context.js";
import { runDemo } from "../demo.js";
import { CliError } from "../errors.js";
import { connectCli } from "../nats-connection.js";
import { freePort, isPortFree } from "@kbalign/net";
import { onShutdownSignal } from "../shutdown-signals.js";
import { formatBanner } from "../stack/banner.js";
import { formatCrashReport } from "../stack/crash-report.js";
import { assertNatsPortFree, launchNatsServer } from "../stack/nats-server.js";
import { writeStackCredentials, type StackCredentials } from "../stack/stack-credentials.js";
import { chooseListenerPort, type NatsListeners } from "../stack/nats-listeners.js";
import { choosePrometheusPort, findPrometheus, launchPrometheus, waitForPrometheus, type RunningPrometheus } from "../stack/prometheus.js";
import { repositoryRuleFiles } from "../stack/prometheus-config.js";
import { resolveServiceMains, serviceName, serviceNodeArgs, SERVICES, type ServiceKey } from "../stack/service-mains.js";
import { waitForServices } from "../stack/service-readiness.js";
import { superviseProcess, type CrashReport, type SupervisedProcess } from "../stack/supervised-process.js";
import { writeLine } from "../terminal.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";

/**
 * Services drain in-flight requests on SIGTERM and exit by themselves within their grace period
 * (KBALIGN_SHUTDOWN_GRACE_MS, 10 s) plus their hard-deadline margin (KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS,
 * 5 s) at the defaults; only after that are they killed.
 */
const SERVICE_STOP_GRACE_MS = 16_000;
/** From "services started" to "all answer PING"; a cold start takes a few seconds. */
const READY_TIMEOUT_MS = 60_000;

interface UpFlags {
  port: number;
  replicas: number;
  data: string;
  opsPort: number;
  demo: boolean;
  /** False with --no-prometheus. */
  prometheus: boolean;
  prometheusPort: number;
  /** Authorization: one user per role, credentials under DATA/credentials. */
  auth: boolean;
  wsPort: number;
  monitorPort: number;
}

/** `kbalign up --port N --data DIR`: NATS + the three services, supervised, until Ctrl-C. */
export function registerUpCommand(program: Command, ctx: CommandContext): void {
  program
    .command("up")
    .description("run the whole local stack: nats-server with JetStream and the three services, until Ctrl-C")
    .option("--port <n>", "port of the stack's NATS server", parsePort, 4222)
    .option("--data <dir>", "state directory (JetStream store, logs)", "./.kbalign")
    .option("--replicas <n>", "replicas of every service, each its own process in the same queue group", parseReplicas, 1)
    .option("--ops-port <base>", "ops HTTP ports: retriever BASE, generator BASE+1, orchestrator BASE+2, the next replicas BASE+3… (0: any free ports)", parseOpsPortBase, 9101)
    .option("--ws-port <n>", "nats-server's WebSocket listener (k6 speaks NATS over it; the next free port when taken, 0: any)", parseListenerPort, 8080)
    .option("--monitor-port <n>", "nats-server's HTTP monitoring, /varz /connz (the next free port when taken, 0: any)", parseListenerPort, 8222)
    .option("--prometheus-port <n>", "Prometheus' port, when it is installed (the next free one when taken)", parsePort, 9090)
    .option("--no-prometheus", "do not start Prometheus, even when it is installed")
    .option("--auth", "require a login: one NATS user per role with its permissions, credentials written to DIR/credentials/<role>.json", false)
    .option("--demo", "once ready, load the demo knowledge base and ask one English and one Chinese question", false)
    .action(async (flags: UpFlags) => {
      ctx.result.exitCode = await runUp(flags, ctx);
    });
}

async function runUp(flags: UpFlags, ctx: CommandContext): Promise<number> {
  const { stdout, stderr } = ctx.terminal;
  // Checked before anything starts: an unbuilt service or a taken port fails at once.
  const mains = resolveServiceMains();
  await assertNatsPortFree(flags.port);
  const replicas = stackReplicas(flags.replicas);
  const opsPorts = await chooseOpsPorts(flags.opsPort, replicas.length);
  const prometheusBin = flags.prometheus ? findPrometheus(ctx.config.KBALIGN_PROMETHEUS, ctx.env.PATH) : undefined;
  const websocketPort = await chooseListenerPort(flags.wsPort, [flags.port, ...opsPorts]);
  const monitorPort = await chooseListenerPort(flags.monitorPort, [flags.port, ...opsPorts, websocketPort]);
  const listeners: NatsListeners = { host: "127.0.0.1", websocketPort, monitorPort };
  const prometheusPort = prometheusBin ? await choosePrometheusPort(flags.prometheusPort, [flags.port, ...opsPorts, websocketPort, monitorPort]) : undefined;
  const dataDir = resolve(flags.data);
  const logsDir = join(dataDir, "logs");
  await mkdir(join(dataDir, "nats"), { recursive: true });
  await mkdir(logsDir, { recursive: true });
  const logFile = (name: string) => join(logsDir, `${name}.log`);
  const credentials: StackCredentials | undefined = flags.auth ? await writeStackCredentials(dataDir) : undefined;

  const shutdown = new AbortController();
  const children: SupervisedProcess[] = [];
  const killAll = () => children.forEach((child) => child.kill());
  // Should this process die of an unexpected error, its children must not outlive it.
  process.on("exit", killAll);
  const removeSignalHandler = onShutdownSignal((signal, count) => {
    if (count > 1) {
      writeLine(stderr, "killing everything now");
      killAll();
      process.exit(EXIT_INTERRUPTED);
    }
    writeLine(stderr, `\n${signal}: stopping the services, then nats-server… (again to kill at once)`);
    shutdown.abort(new CliError("interrupted"));
  });
  const onCrash = (name: string) => (report: CrashReport) => writeLine(stderr, formatCrashReport(report, logFile(name)));
  // Optional: when it cannot run, the stack goes on without it and says so.
  const startPrometheus = async (bin: string, port: number): Promise<RunningPrometheus | undefined> => {
    const ruleFiles = repositoryRuleFiles();
    writeLine(stdout, `• starting prometheus on 127.0.0.1:${port} (${ruleFiles.length} rule files, data in ${join(dataDir, "prometheus")})`);
    return launchPrometheus({
      bin,
      port,
      dataDir,
      logFile: logFile("prometheus"),
      targets: replicas.map((replica, i) => ({ service: replica.service, port: opsPorts[i] ?? 0 })),
      ruleFiles,
      env: ctx.env,
      onCrash: onCrash("prometheus"),
    }).catch((err: unknown) => {
      writeLine(stderr, `cannot run ${bin}: ${err instanceof Error ? err.message : String(err)}; going on without prometheus`);
      return undefined;
    });
  };

  let nc: NatsConnection | undefined;
  let demoConnections: NatsConnection[] = [];
  let nats: SupervisedProcess | undefined;
  let prometheus: RunningPrometheus | undefined;
  const services = new Map<string, SupervisedProcess>();
  try {
    writeLine(
      stdout,
      `• starting nats-server on 127.0.0.1:${flags.port} (JetStream store ${join(dataDir, "nats")})` +
        (credentials ? `, with authorization: credentials in ${join(dataDir, "credentials")}/<role>.json` : ""),
    );
    const server = await launchNatsServer({
      bin: ctx.config.KBALIGN_NATS_SERVER,
      port: flags.port,
      storeDir: join(dataDir, "nats"),
      logFile: logFile("nats-server"),
      env: ctx.env,
      onCrash: onCrash("nats-server"),
      signal: shutdown.signal,
      // The listeners beside the client port, and with --auth one user per role.
      config: {
        file: join(dataDir, "nats-server.conf"),
        settings: {
          websocket: `${listeners.host}:${listeners.websocketPort}`,
          monitoring: `${listeners.host}:${listeners.monitorPort}`,
          ...(credentials ? { users: credentials.users } : {}),
        },
      },
    });
    nats = server.process;
    children.push(nats);

    const each = flags.replicas > 1 ? ` × ${flags.replicas}` : "";
    writeLine(stdout, `• starting ${SERVICES.join(", ")}${each} (logs in ${logsDir}/)`);
    for (const [i, replica] of replicas.entries()) {
      // NATS_URL, the ops port and the instance name are set here; the rest (log level, generator backend, …) passes through.
      const service = superviseProcess({
        name: replica.name,
        command: process.execPath,
        args: serviceNodeArgs(mains[replica.service]),
        env: {
          ...ctx.env,
          NATS_URL: server.url,
          KBALIGN_HTTP_PORT: String(opsPorts[i]),
          KBALIGN_INSTANCE: replica.name,
          ...(credentials ? { KBALIGN_NATS_CREDENTIALS: credentials.files[replica.service] } : {}),
        },
        logFile: logFile(replica.name),
        stopGraceMs: SERVICE_STOP_GRACE_MS,
        onCrash: onCrash(replica.name),
      });
      await service.start();
      services.set(replica.name, service);
      children.push(service);
    }

    if (prometheusBin && prometheusPort !== undefined) {
      prometheus = await startPrometheus(prometheusBin, prometheusPort);
      if (prometheus) children.push(prometheus.process);
    } else if (flags.prometheus) {
      const where = ctx.config.KBALIGN_PROMETHEUS ? `KBALIGN_PROMETHEUS=${ctx.config.KBALIGN_PROMETHEUS} not found` : "prometheus is not installed";
      writeLine(stdout, `• ${where}: starting without Prometheus (apt-get install prometheus, or set KBALIGN_PROMETHEUS)`);
    }

    // With authorization, `up` itself is the operator (it pings the services); the demo loads as ingest and asks as client.
    nc = await connectCli(server.url, "kbalign-up", credentials ? { credentialsFile: credentials.files.operator } : {});
    writeLine(stdout, "• waiting for the services to answer PING…");
    await waitForServices(
      nc,
      SERVICES.map((key) => ({ name: serviceName(key), instances: flags.replicas })),
      {
        timeoutMs: READY_TIMEOUT_MS,
        signal: shutdown.signal,
        explain: (name) => {
          const key = SERVICES.find((k) => serviceName(k) === name);
          const names = replicas.filter((r) => r.service === key).map((r) => r.name);
          const last = names.map((n) => services.get(n)?.tail().at(-1)).find((line) => line !== undefined);
          return `see ${names.map(logFile).join(", ") || logFile(name)}${last ? ` (last output: ${last})` : ""}`;
        },
      },
    );
    if (prometheus && !(await waitForPrometheus(prometheus.process, prometheus.url, shutdown.signal))) {
      writeLine(stderr, `prometheus did not become ready: going on without it (see ${logFile("prometheus")})`);
      await prometheus.process.stop();
      prometheus = undefined;
    }
    writeLine(
      stdout,
      formatBanner({
        natsUrl: server.url,
        listeners,
        opsPorts: replicas.map((replica, i) => ({ name: replica.name, port: opsPorts[i] ?? 0 })),
        logsDir,
        dataDir,
        ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
        ...(credentials ? { credentialsDir: join(dataDir, "credentials") } : {}),
      }),
    );

    if (flags.demo) {
      // A failed demo is reported, but the stack keeps serving: it is still usable.
      let connections = { ingest: nc, ask: nc };
      if (credentials) {
        const [ingest, ask] = await Promise.all([
          connectCli(server.url, "kbalign-up-demo-ingest", { credentialsFile: credentials.files.ingest }),
          connectCli(server.url, "kbalign-up-demo-ask", { credentialsFile: credentials.files.client }),
        ]);
        demoConnections = [ingest, ask];
        connections = { ingest, ask };
      }
      await runDemo(connections, ctx.terminal, shutdown.signal).catch((err: unknown) => {
        if (shutdown.signal.aborted) throw err;
        writeLine(stderr, `demo failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      await Promise.all(demoConnections.map((c) => c.close()));
      demoConnections = [];
    }
    await nc.close();
    nc = undefined;
    if (!shutdown.signal.aborted) {
      await new Promise<void>((resolveStop) => shutdown.signal.addEventListener("abort", () => resolveStop(), { once: true }));
    }
    return 0;
  } catch (err) {
    // Ctrl-C during start-up is a normal way to stop, not a failure.
    if (shutdown.signal.aborted) return 0;
    throw err;
  } finally {
    await Promise.all([nc?.close(), ...demoConnections.map((c) => c.close())]);
    await Promise.all([...[...services.values()].map((service) => service.stop()), prometheus?.process.stop()]);
    await nats?.stop();
    process.off("exit", killAll);
    removeSignalHandler();
    if (shutdown.signal.aborted) writeLine(stderr, "stopped");
  }
}

/** One service process of the stack: `retriever`, or `retriever-2` when there are several. */
interface Replica {
  service: ServiceKey;
  name: string;
}

/** Every process to run: each service in turn, then the second replica of each, and so on. */
function stackReplicas(count: number): Replica[] {
  return Array.from({ length: count }, (_, r) => SERVICES.map((service) => ({ service, name: count > 1 ? `${service}-${r + 1}` : service }))).flat();
}

/** One ops port per process: BASE, BASE+1, … checked to be free, or free ports for BASE 0. */
async function chooseOpsPorts(base: number, count: number): Promise<number[]> {
  if (base === 0) {
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await freePort());
    return [...ports];
  }
  const ports = Array.from({ length: count }, (_, i) => base + i);
  for (const port of ports) {
    if (port > 65_535 || !(await isPortFree(port))) {
      throw new CliError(`ops port ${port} is already in use: choose another base with --ops-port BASE, or --ops-port 0 for any free ports`);
    }
  }
  return ports;
}
