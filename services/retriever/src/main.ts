import { ServiceNames } from "@kbalign/contracts";
import { connectNats } from "@kbalign/nats";
import { createLogger, createMetricsRegistry, startOpsServer, startTracing, type Logger } from "@kbalign/telemetry";
import { loadConfig, type RetrieverConfig } from "./config.js";
import { RETRIEVER_VERSION } from "./service.js";
import { startRetriever } from "./start-retriever.js";

// Composition root: config → telemetry → NATS → retriever → ops server → wait for a signal.
async function main(): Promise<void> {
  let config: RetrieverConfig;
  try {
    config = loadConfig();
  } catch (err) {
    // No config, no log level: log the problem with the defaults and give up.
    createLogger({ service: ServiceNames.retriever, version: RETRIEVER_VERSION }).fatal({ err }, "invalid configuration");
    process.exit(1);
  }
  const log = createLogger({
    service: ServiceNames.retriever,
    version: RETRIEVER_VERSION,
    level: config.KBALIGN_LOG_LEVEL,
    instance: config.KBALIGN_INSTANCE,
  });
  try {
    await run(config, log);
  } catch (err) {
    log.fatal({ err }, "retriever failed to start");
    process.exit(1);
  }
}

async function run(config: RetrieverConfig, log: Logger): Promise<void> {
  const registry = createMetricsRegistry(ServiceNames.retriever);
  const tracing = startTracing(ServiceNames.retriever);
  const name = config.KBALIGN_INSTANCE ? `${ServiceNames.retriever}/${config.KBALIGN_INSTANCE}` : ServiceNames.retriever;
  const nc = await connectNats({ url: config.NATS_URL, name, log });
  const retriever = await startRetriever({ nc, config, log, registry });
  // Up before the index is built, so probes see "alive, not ready" while a large stream replays.
  const ops = await startOpsServer({ port: config.KBALIGN_HTTP_PORT, registry, ready: retriever.ready, healthy: () => !nc.isClosed() });
  log.info({ httpPort: ops.port, serving: retriever.ready() }, "retriever started");

  let shuttingDown = false;
  // A replica that cannot serve is useless: exit and let the supervisor restart it.
  retriever.caughtUp.catch((err: unknown) => {
    if (shuttingDown) return;
    log.fatal({ err }, "retriever failed to start serving");
    process.exit(1);
  });

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, "shutting down");
    try {
      await retriever.stop();
      try {
        await nc.drain();
      } catch (err) {
        // Draining needs the server; with NATS unreachable there is nothing left to flush.
        log.warn({ err }, "nats drain failed, closing the connection");
        await nc.close();
      }
      await ops.close();
      await tracing.shutdown();
      process.exit(0);
    } catch (err) {
      log.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void shutdown(signal));
}

await main();
