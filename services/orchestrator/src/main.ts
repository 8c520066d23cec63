import { ServiceNames } from "@kbalign/contracts";
import { connectNats } from "@kbalign/nats";
import { createLogger, createMetricsRegistry, startOpsServer, startTracing, type Logger } from "@kbalign/telemetry";
import { loadConfig } from "./config.js";
import { startOrchestrator } from "./index.js";
import { SERVICE_VERSION } from "./service.js";

// Composition root: config → telemetry → NATS → service → ops server → signals.
async function main(): Promise<void> {
  let log: Logger = createLogger({ service: ServiceNames.orchestrator, version: SERVICE_VERSION });
  try {
    const config = loadConfig();
    log = createLogger({
      service: ServiceNames.orchestrator,
      version: SERVICE_VERSION,
      level: config.KBALIGN_LOG_LEVEL,
      ...(config.KBALIGN_INSTANCE ? { instance: config.KBALIGN_INSTANCE } : {}),
    });
    const registry = createMetricsRegistry(ServiceNames.orchestrator);
    const tracing = startTracing(ServiceNames.orchestrator);
    const nc = await connectNats({
      url: config.NATS_URL,
      name: config.KBALIGN_INSTANCE ? `${ServiceNames.orchestrator}:${config.KBALIGN_INSTANCE}` : ServiceNames.orchestrator,
      log,
    });
    const orchestrator = await startOrchestrator({ nc, config, log, registry });
    const ops = await startOpsServer({ port: config.KBALIGN_HTTP_PORT, registry, ready: orchestrator.ready, healthy: () => !nc.isClosed() });
    log.info({ httpPort: ops.port, nats: config.NATS_URL, maxInFlight: config.KBALIGN_MAX_IN_FLIGHT }, "orchestrator started");

    let shuttingDown = false;
    const shutdown = async (signal: NodeJS.Signals) => {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info({ signal, inFlight: orchestrator.inFlight() }, "shutting down");
      try {
        await orchestrator.stop();
        await nc.drain();
        await ops.close();
        await tracing.shutdown();
        log.info({}, "orchestrator stopped");
        process.exit(0);
      } catch (err) {
        log.fatal({ err }, "shutdown failed");
        process.exit(1);
      }
    };
    process.once("SIGTERM", (signal) => void shutdown(signal));
    process.once("SIGINT", (signal) => void shutdown(signal));
  } catch (err) {
    log.fatal({ err }, "orchestrator failed to start");
    process.exit(1);
  }
}

await main();
