import { ServiceNames } from "@kbalign/contracts";
import { connectNats } from "@kbalign/nats";
import { createLogger, createMetricsRegistry, startOpsServer, startTracing, type Logger } from "@kbalign/telemetry";
import { loadConfig, type GeneratorConfig } from "./config.js";
import { GENERATOR_VERSION } from "./service.js";
import { startGenerator } from "./start-generator.js";

// Composition root: config → telemetry → NATS → generator → ops server → wait for a signal.
async function main(): Promise<void> {
  let config: GeneratorConfig;
  try {
    config = loadConfig();
  } catch (err) {
    // No config, no log level: log the problem with the defaults and give up.
    createLogger({ service: ServiceNames.generator, version: GENERATOR_VERSION }).fatal({ err }, "invalid configuration");
    process.exit(1);
  }
  const log = createLogger({
    service: ServiceNames.generator,
    version: GENERATOR_VERSION,
    level: config.KBALIGN_LOG_LEVEL,
    instance: config.KBALIGN_INSTANCE,
  });
  try {
    await run(config, log);
  } catch (err) {
    log.fatal({ err }, "generator failed to start");
    process.exit(1);
  }
}

async function run(config: GeneratorConfig, log: Logger): Promise<void> {
  const registry = createMetricsRegistry(ServiceNames.generator);
  const tracing = startTracing(ServiceNames.generator);
  const name = config.KBALIGN_INSTANCE ? `${ServiceNames.generator}/${config.KBALIGN_INSTANCE}` : ServiceNames.generator;
  const nc = await connectNats({ url: config.NATS_URL, name, log });
  const generator = await startGenerator({ nc, config, log, registry });
  const ops = await startOpsServer({ port: config.KBALIGN_HTTP_PORT, registry, ready: generator.ready, healthy: () => !nc.isClosed() });
  log.info({ httpPort: ops.port, backend: generator.backend }, "generator started");

  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, "shutting down");
    try {
      await generator.stop();
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
