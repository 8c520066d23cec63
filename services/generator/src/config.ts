import { z } from "zod";
import { parseEnv, Port, SharedEnv } from "@kbalign/config";

const SentenceLimit = z.coerce.number().int().min(1).max(50);
const CharLimit = z.coerce.number().int().min(1).max(100_000);

const GeneratorEnv = SharedEnv.extend({
  /** Port of /metrics, /healthz and /readyz; 0 picks any free port. */
  KBALIGN_HTTP_PORT: Port.default(9102),
  KBALIGN_GENERATOR_BACKEND: z.enum(["extractive", "openai"]).default("extractive"),
  /** Base URL of an OpenAI-compatible API, up to and including `/v1` (e.g. http://vllm:8000/v1). */
  KBALIGN_LLM_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://localhost:8000/v1" }).optional(),
  KBALIGN_LLM_MODEL: z.string().min(1).optional(),
  KBALIGN_LLM_API_KEY: z.string().min(1).optional(),
  /** Milliseconds to wait for the LLM server to connect and send its first byte. */
  KBALIGN_LLM_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(30_000),
  /** Consecutive LLM failures (errors, time-outs, silence past the first-chunk budget) that open its circuit. */
  KBALIGN_LLM_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
  /** How long an open LLM circuit answers without the LLM before one trial call (ms). */
  KBALIGN_LLM_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  /** The longest `Retry-After` of the LLM server honoured (ms); it holds the circuit open that long. */
  KBALIGN_LLM_MAX_RETRY_AFTER_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Default `max_tokens`; a request's own `maxTokens` wins. Unset: the server's default. */
  KBALIGN_LLM_MAX_TOKENS: z.coerce.number().int().min(1).max(32_768).optional(),
  /** Extractive answers: the first answer only feeds query expansion, so it is kept short. */
  KBALIGN_EXTRACTIVE_FIRST_MAX_SENTENCES: SentenceLimit.default(2),
  KBALIGN_EXTRACTIVE_FIRST_MAX_CHARS: CharLimit.default(400),
  KBALIGN_EXTRACTIVE_FINAL_MAX_SENTENCES: SentenceLimit.default(5),
  KBALIGN_EXTRACTIVE_FINAL_MAX_CHARS: CharLimit.default(1_500),
  /** Streams one replica runs at once; more are answered OVERLOADED at once (the orchestrator retries elsewhere or answers extractively). */
  KBALIGN_GENERATOR_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  /** On shutdown, streams in flight get this long (ms) to finish before they are stopped. */
  KBALIGN_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
})
  // `when` makes these checks run even if another variable is bad, so every problem is listed at once.
  .refine((env) => env.KBALIGN_GENERATOR_BACKEND !== "openai" || env.KBALIGN_LLM_BASE_URL !== undefined, {
    path: ["KBALIGN_LLM_BASE_URL"],
    message: "required when KBALIGN_GENERATOR_BACKEND is openai",
    when: (payload) => usesOpenAi(payload.value),
  })
  .refine((env) => env.KBALIGN_GENERATOR_BACKEND !== "openai" || env.KBALIGN_LLM_MODEL !== undefined, {
    path: ["KBALIGN_LLM_MODEL"],
    message: "required when KBALIGN_GENERATOR_BACKEND is openai (the model name the server serves)",
    when: (payload) => usesOpenAi(payload.value),
  });

function usesOpenAi(value: unknown): boolean {
  return typeof value === "object" && value !== null && "KBALIGN_GENERATOR_BACKEND" in value && value.KBALIGN_GENERATOR_BACKEND === "openai";
}

export type GeneratorConfig = Readonly<z.infer<typeof GeneratorEnv>>;

/** Reads and validates the generator's environment; throws a ConfigError listing every bad variable. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): GeneratorConfig => parseEnv(GeneratorEnv, env);
