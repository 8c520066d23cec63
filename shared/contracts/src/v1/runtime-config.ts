/** The JetStream KV bucket of the runtime configuration (with history, for `kbalign config rollback`). */
export const CONFIG_BUCKET = "KBALIGN_CONFIG";

/** Revisions kept per key: the most a KV bucket allows. */
export const CONFIG_HISTORY = 64;

/**
 * The settings that can change without a restart: each KV key and the environment variable it
 * overrides. A value is the text the variable would hold, and is validated by the same zod schema
 * as that variable (the orchestrator's environment schema); a key deleted from the bucket falls back
 * to the environment.
 */
export const RUNTIME_CONFIG_KEYS = {
  "query.defaultTopn": "KBALIGN_DEFAULT_TOPN",
  "query.maxInFlight": "KBALIGN_MAX_IN_FLIGHT",
  "retry.maxRetries": "KBALIGN_MAX_RETRIES",
  "generation.systemPrompt": "KBALIGN_SYSTEM_PROMPT",
  "generation.promptTemplate": "KBALIGN_PROMPT_TEMPLATE",
  "extractive.finalMaxChars": "KBALIGN_EXTRACTIVE_FINAL_MAX_CHARS",
  "expansion.mode": "KBALIGN_QUERY_EXPANSION",
  "expansion.weight": "KBALIGN_EXPANSION_WEIGHT",
  "expansion.maxTerms": "KBALIGN_EXPANSION_MAX_TERMS",
  "timeouts.retrieveMs": "KBALIGN_RETRIEVE_TIMEOUT_MS",
  "timeouts.firstAnswerMs": "KBALIGN_FIRST_ANSWER_TIMEOUT_MS",
} as const;

export type RuntimeConfigKey = keyof typeof RUNTIME_CONFIG_KEYS;
export type RuntimeConfigEnvName = (typeof RUNTIME_CONFIG_KEYS)[RuntimeConfigKey];

export const runtimeConfigKeys = Object.keys(RUNTIME_CONFIG_KEYS) as RuntimeConfigKey[];

export const isRuntimeConfigKey = (key: string): key is RuntimeConfigKey => Object.hasOwn(RUNTIME_CONFIG_KEYS, key);
