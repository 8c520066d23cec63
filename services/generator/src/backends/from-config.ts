import type { Logger } from "@kbalign/telemetry";
import type { GeneratorConfig } from "../config.js";
import type { GeneratorMetrics } from "../metrics.js";
import type { GenerationBackend } from "./backend.js";
import { createExtractiveBackend } from "./extractive.js";
import { createOpenAiBackend } from "./openai.js";

/** The backend KBALIGN_GENERATOR_BACKEND names, set up from the rest of the config. */
export function backendFromConfig(config: GeneratorConfig, deps: { log: Logger; metrics: Pick<GeneratorMetrics, "llmRequests"> }): GenerationBackend {
  switch (config.KBALIGN_GENERATOR_BACKEND) {
    case "extractive":
      return createExtractiveBackend({
        first_answer: { maxSentences: config.KBALIGN_EXTRACTIVE_FIRST_MAX_SENTENCES, maxChars: config.KBALIGN_EXTRACTIVE_FIRST_MAX_CHARS },
        final_answer: { maxSentences: config.KBALIGN_EXTRACTIVE_FINAL_MAX_SENTENCES, maxChars: config.KBALIGN_EXTRACTIVE_FINAL_MAX_CHARS },
      });
    case "openai": {
      // loadConfig already refused an openai backend without these; this keeps the types honest.
      const baseUrl = config.KBALIGN_LLM_BASE_URL;
      const model = config.KBALIGN_LLM_MODEL;
      if (baseUrl === undefined || model === undefined) throw new Error("KBALIGN_LLM_BASE_URL and KBALIGN_LLM_MODEL are required for the openai backend");
      return createOpenAiBackend({
        baseUrl,
        model,
        apiKey: config.KBALIGN_LLM_API_KEY,
        firstByteTimeoutMs: config.KBALIGN_LLM_TIMEOUT_MS,
        maxTokens: config.KBALIGN_LLM_MAX_TOKENS,
        log: deps.log,
        observe: (outcome) => deps.metrics.llmRequests.inc({ outcome }),
      });
    }
  }
}
