import { ServiceNames } from "@kbalign/contracts";
import { runService } from "@kbalign/runtime";
import { loadConfig } from "./config.js";
import { GENERATOR_VERSION } from "./service.js";
import { startGenerator } from "./start-generator.js";

await runService({
  service: ServiceNames.generator,
  version: GENERATOR_VERSION,
  loadConfig,
  start: startGenerator,
  describe: (generator) => ({ backend: generator.backend }),
});
