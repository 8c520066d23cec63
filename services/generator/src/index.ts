export { startGenerator, type GeneratorHandle, type StartGeneratorOptions } from "./start-generator.js";
export { loadConfig, type GeneratorConfig } from "./config.js";
export { addGeneratorService, GENERATOR_VERSION, type GeneratorServiceDeps } from "./service.js";
export { createGenerateHandler, type GenerateHandlerDeps } from "./generate-handler.js";
export { createCancellations, subscribeCancellations, type Cancellations, type StreamRegistration } from "./cancellations.js";
export { createGeneratorMetrics, type GeneratorMetrics, type LlmOutcome } from "./metrics.js";
export {
  buildPrompt,
  fillTemplate,
  formatDocuments,
  formatHistory,
  promptLanguage,
  prompts,
  type ChatCompletionMessage,
  type LanguagePrompts,
  type PromptInput,
} from "./prompt.js";
export type { FinishReason, GenerationBackend } from "./backends/backend.js";
export {
  createExtractiveBackend,
  defaultExtractiveLimits,
  noDocumentsAnswer,
  type ExtractiveLimits,
} from "./backends/extractive.js";
export { createOpenAiBackend, type OpenAiBackendOptions } from "./backends/openai.js";
export { backendFromConfig } from "./backends/from-config.js";
