import { ServiceNames } from "@kbalign/contracts";
import { runService } from "@kbalign/runtime";
import { loadConfig } from "./config.js";
import { startOrchestrator } from "./index.js";
import { SERVICE_VERSION } from "./service.js";

await runService({
  service: ServiceNames.orchestrator,
  version: SERVICE_VERSION,
  loadConfig,
  start: startOrchestrator,
  describe: (_, config) => ({ maxInFlight: config.KBALIGN_MAX_IN_FLIGHT }),
});
