import { ServiceNames } from "@kbalign/contracts";
import { runService } from "@kbalign/runtime";
import { loadConfig, type RetrieverConfig } from "./config.js";
import { RETRIEVER_VERSION } from "./service.js";
import { startRetriever, type RetrieverHandle } from "./start-retriever.js";

// The process: serves once its index has caught up with the KB stream; exits 1 if it never can.
await runService<RetrieverConfig, RetrieverHandle>({
  service: ServiceNames.retriever,
  version: RETRIEVER_VERSION,
  loadConfig,
  start: startRetriever,
  fatal: (retriever) => retriever.caughtUp,
  describe: (retriever) => ({ serving: retriever.ready() }),
});
