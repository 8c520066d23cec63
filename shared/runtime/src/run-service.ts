import type { LogLevel } from "@kbalign/config";
import { connectNats, type NatsConnection } from "@kbalign/nats";
import {
  countConnectionStatus,
  createLogger,
  createMetricsRegistry,
  createResourceMonitor,
  redactUrl,
  startOpsServer,
  startTracing,
  type Logger,
} from "@kbalign/telemetry";
import type { Registry } from "prom-client";
import { watchConnection } from "./connection-state.js";

/** The configuration every service process has (SharedEnv plus its ops port). */
export interface ProcessConfig {
  NATS_URL: string;
  KBALIGN_LOG_LEVEL: LogLevel;
  KBALIGN_INSTANCE?: string | undefined;
  KBALIGN_HTTP_PORT: number;
  KBALIGN_CPU_WARN_RATIO: number;
  KBALIGN_MEMORY_LIMIT_BYTES: number;
  KBALIGN_MEMORY_WARN_RATIO: number;
  KBALIGN_RESOURCE_SAMPLE_MS: number;
  KBALIGN_RESOURCE_WARN_INTERVAL_MS: number;
  KBALIGN_SHUTDOWN_DRAIN_TIMEOUT_MS: number;
  KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: number;
  /** How long work in flight may finish on SIGTERM (services that have work in flight). */
  KBALIGN_SHUTDOWN_GRACE_MS?: number | undefined;
}

/** What a started service gives back to the process around it. */
export interface ServiceHandle {
  ready(): boolean;
  /**
   * Stops taking work and finishes or ends what is in flight within KBALIGN_SHUTDOWN_GRACE_MS
   * (leftovers end with a retryable UNAVAILABLE); leaves the connection open.
   */
  stop(): Promise<void>;
}

export interface ServiceProcess<C extends ProcessConfig, H extends ServiceHandle> {
  /** Service name, e.g. ServiceNames.retriever: logs, metrics label, NATS client name. */
  service: string;
  version: string;
  loadConfig(): C;
  start(deps: { nc: NatsConnection; config: C; log: Logger; registry: Registry }): Promise<H>;
  /** A promise that rejects when the service can never serve (the process then exits 1). */
  fatal?(handle: H): Promise<unknown>;
  /** Extra fields for the "started" log line. */
  describe?(handle: H, config: C): Record<string, unknown>;
}

/**
 * The composition root every service shares: config → logger → metrics → tracing → NATS →
 * service → ops server (/metrics /healthz /readyz). SIGTERM/SIGINT: /readyz answers 503 at once,
 * the service stops (see ServiceHandle.stop), the connection drains for at most
 * KBALIGN_SHUTDOWN_DRAIN_TIMEOUT_MS and the process exits 0; a process still alive at the hard
 * deadline (grace + KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS after the signal) exits 1, even with NATS
 * down. A bad configuration or a failed start exits 1 with a fatal log line.
 */
export async function runService<C extends ProcessConfig, H extends ServiceHandle>(spec: ServiceProcess<C, H>): Promise<void> {
  let config: C;
  try {
    config = spec.loadConfig();
  } catch (err) {
    // No config, no log level: log the problem with the defaults and give up.
    createLogger({ service: spec.service, version: spec.version }).fatal({ err }, "invalid configuration");
    process.exit(1);
  }
  const log = createLogger({
    service: spec.service,
    version: spec.version,
    level: config.KBALIGN_LOG_LEVEL,
    ...(config.KBALIGN_INSTANCE ? { instance: config.KBALIGN_INSTANCE } : {}),
  });
  try {
    await run(spec, config, log);
  } catch (err) {
    log.fatal({ err }, `${spec.service} failed to start`);
    process.exit(1);
  }
}

async function run<C extends ProcessConfig, H extends ServiceHandle>(spec: ServiceProcess<C, H>, config: C, log: Logger): Promise<void> {
  const registry = createMetricsRegistry(spec.service);
  const stopResourceMonitor = createResourceMonitor({
    registry,
    log,
    limits: { cpuRatio: config.KBALIGN_CPU_WARN_RATIO, memoryRatio: config.KBALIGN_MEMORY_WARN_RATIO, memoryLimitBytes: config.KBALIGN_MEMORY_LIMIT_BYTES },
    warnIntervalMs: config.KBALIGN_RESOURCE_WARN_INTERVAL_MS,
  }).start(config.KBALIGN_RESOURCE_SAMPLE_MS);
  const tracing = await startTracing(spec.service);
  if (tracing.startedLate) log.warn({}, "tracing started without the preload (node --import @kbalign/telemetry/preload): modules loaded before it are not instrumented");
  const name = config.KBALIGN_INSTANCE ? `${spec.service}/${config.KBALIGN_INSTANCE}` : spec.service;
  const nc = await connectNats({ url: config.NATS_URL, name, log });
  void countConnectionStatus(nc.status(), registry).catch((err: unknown) => log.warn({ err }, "counting nats reconnects stopped"));
  const connection = watchConnection(nc);
  const handle = await spec.start({ nc, config, log, registry });
  let shuttingDown = false;
  // Up before the service is ready, so probes see "alive, not ready" while it warms up; not ready
  // from the first instant of a shutdown, before anything else happens.
  const ops = await startOpsServer({ port: config.KBALIGN_HTTP_PORT, registry, ready: () => !shuttingDown && connection.connected() && handle.ready(), healthy: () => !nc.isClosed() });
  log.info({ httpPort: ops.port, nats: redactUrl(config.NATS_URL), ...spec.describe?.(handle, config) }, `${spec.service} started`);

  // A replica that cannot serve is useless: exit and let the supervisor restart it.
  spec.fatal?.(handle).catch((err: unknown) => {
    if (shuttingDown) return;
    log.fatal({ err }, `${spec.service} cannot serve`);
    process.exit(1);
  });

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    const graceMs = config.KBALIGN_SHUTDOWN_GRACE_MS ?? 0;
    const deadlineMs = graceMs + config.KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS;
    log.info({ signal, graceMs, deadlineMs }, "shutting down");
    // Whatever hangs (a drain or an unsubscribe waiting for a NATS server that is gone), the
    // process ends: a supervisor waiting for it would otherwise have to kill it.
    setTimeout(() => {
      log.fatal({ deadlineMs }, "shutdown did not finish before its hard deadline; exiting");
      process.exit(1);
    }, deadlineMs);
    try {
      await handle.stop();
      await drainWithin(nc, config.KBALIGN_SHUTDOWN_DRAIN_TIMEOUT_MS, log);
      await ops.close();
      stopResourceMonitor();
      await tracing.shutdown();
      log.info({}, `${spec.service} stopped`);
      process.exit(0);
    } catch (err) {
      log.fatal({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, (s) => void shutdown(s));
}

/** Drains `nc`, or closes it when the drain fails or takes longer than `ms` (e.g. NATS is down). */
async function drainWithin(nc: NatsConnection, ms: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  try {
    const result = await Promise.race([nc.drain().then(() => "drained" as const), timedOut]);
    if (result === "drained") return;
    log.warn({ drainTimeoutMs: ms }, "nats drain did not finish in time, closing the connection");
  } catch (err) {
    // Draining needs the server; with NATS unreachable there is nothing left to flush.
    log.warn({ err }, "nats drain failed, closing the connection");
  } finally {
    clearTimeout(timer);
  }
  await nc.close();
}
