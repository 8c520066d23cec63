import type { Logger } from "@kbalign/telemetry";
import type { GeneratorConfig } from "../config.js";
import type { GeneratorMetrics } from "../metrics.js";
import type { GenerationBackend } from "./backend.js";
import { createExtractiveBackend } from "./extractive.js";
import { CircuitStateValue, withCircuitBreaker } from "./circuit-breaker.js";
import { createOpenAiBackend } from "./openai.js";

/** The backend KBALIGN_GENERATOR_BACKEND names, set up from the rest of the config. */
export function backendFromConfig(
  config: GeneratorConfig,
  deps: { log: Logger; metrics: Pick<GeneratorMetrics, "llmRequests" | "llmCircuitState" | "llmShortCircuits"> },
): GenerationBackend {
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
      const llm = createOpenAiBackend({
        baseUrl,
        model,
        apiKey: config.KBALIGN_LLM_API_KEY,
        firstByteTimeoutMs: config.KBALIGN_LLM_TIMEOUT_MS,
        maxTokens: config.KBALIGN_LLM_MAX_TOKENS,
        log: deps.log,
        observe: (outcome) => deps.metrics.llmRequests.inc({ outcome }),
      });
      deps.metrics.llmCircuitState.set({ backend: llm.name }, CircuitStateValue.closed);
      return withCircuitBreaker(llm, {
        failures: config.KBALIGN_LLM_BREAKER_FAILURES,
        cooldownMs: config.KBALIGN_LLM_BREAKER_COOLDOWN_MS,
        maxRetryAfterMs: config.KBALIGN_LLM_MAX_RETRY_AFTER_MS,
        log: deps.log,
        onStateChange: (state) => deps.metrics.llmCircuitState.set({ backend: llm.name }, CircuitStateValue[state]),
        onShortCircuit: () => deps.metrics.llmShortCircuits.inc({ backend: llm.name }),
      });
    }
  }
}
