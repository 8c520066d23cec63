import { z } from "zod";
import { parseEnv, Port, SharedEnv } from "@kbalign/config";
import type { KBAlignConfigInput } from "@kbalign/pipeline";

const positiveInt = z.coerce.number().int().positive();

/**
 * The orchestrator's environment. Pipeline options left unset keep the pipeline's own defaults
 * (KBAlignConfig in @kbalign/pipeline), so each default lives in one place.
 */
export const OrchestratorEnv = SharedEnv.extend({
  /** Port of /metrics, /healthz and /readyz (0: any free port). */
  KBALIGN_HTTP_PORT: Port.default(9103),
  /** `topn` of a query that does not say (1–50; default: the pipeline's, 5). */
  KBALIGN_DEFAULT_TOPN: z.coerce.number().int().min(1).max(50).optional(),
  /** Cap on the final answer's characters, asked of the generator (default: the generator's own). */
  KBALIGN_EXTRACTIVE_FINAL_MAX_CHARS: z.coerce.number().int().min(1).max(100_000).optional(),
  /**
   * Requests handled at once by this replica; more are answered OVERLOADED at once. Unset: a limit
   * that adapts to keep the p90 time to the first data chunk under KBALIGN_ADMISSION_TARGET_MS.
   */
  KBALIGN_MAX_IN_FLIGHT: positiveInt.optional(),
  /**
   * The adaptive limit's target: p90 time from receiving a query to its first data chunk (ms); see
   * createAdaptiveLimit. 30: what this replica measures leaves out the query's wait before it is read
   * and the event's trip back, which a busy machine stretches; with 30 the caller's p99 stayed at
   * 49–71 ms past the capacity, with 50 at 62–141 ms (docs/reliability.md).
   */
  KBALIGN_ADMISSION_TARGET_MS: positiveInt.default(30),
  /** Bounds of the adaptive limit. */
  KBALIGN_ADMISSION_MIN_IN_FLIGHT: positiveInt.default(4),
  KBALIGN_ADMISSION_MAX_IN_FLIGHT: positiveInt.default(1_024),
  /** How often the retriever and generator replicas are listed again ($SRV.PING), so each call can choose one. */
  KBALIGN_REPLICA_REFRESH_MS: positiveInt.default(2_000),
  /** How long a replica that failed a call (unavailable, timed out, overloaded) is left out of the rotation. */
  KBALIGN_REPLICA_AVOID_MS: positiveInt.default(3_000),
  /** Largest query body accepted; larger ones are answered BAD_REQUEST. */
  KBALIGN_MAX_REQUEST_BYTES: positiveInt.default(262_144),
  /** Longest `query` accepted, in characters (the protocol's bound, 8000, by default). */
  KBALIGN_MAX_QUERY_CHARS: z.coerce.number().int().min(1).max(8_000).default(8_000),
  /** Most `messages` (history) accepted (the protocol's bound, 100, by default). */
  KBALIGN_MAX_HISTORY_MESSAGES: z.coerce.number().int().min(0).max(100).default(100),
  /** Longest `messages[].content` accepted, in characters (the protocol's bound, 32000, by default). */
  KBALIGN_MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).max(32_000).default(32_000),
  /** Largest `topn` accepted (the protocol's bound, 50, by default). */
  KBALIGN_MAX_TOPN: z.coerce.number().int().min(1).max(50).default(50),
  /** Limit of one retrieve attempt (default: the pipeline's, 2000). */
  KBALIGN_RETRIEVE_TIMEOUT_MS: positiveInt.optional(),
  /** Longest silence allowed inside a generator's stream before it counts as dead. */
  KBALIGN_GENERATE_IDLE_TIMEOUT_MS: positiveInt.default(10_000),
  /** Retries of a retryable retrieve/generate failure (default: the pipeline's, 2). */
  KBALIGN_MAX_RETRIES: z.coerce.number().int().min(0).max(10).optional(),
  /** Default system prompt when a request carries no `system` message. */
  KBALIGN_SYSTEM_PROMPT: z.string().optional(),
  /** Prompt template passed to the generator; placeholders {query}, {history}, {documents}. */
  KBALIGN_PROMPT_TEMPLATE: z.string().optional(),
  /**
   * Longest wait for a generation's first chunk, retries included (default: the pipeline's, 5000);
   * past it the first answer is skipped or the final answer is the extractive one.
   */
  KBALIGN_FIRST_CHUNK_TIMEOUT_MS: positiveInt.optional(),
  /** Time kept before a request's deadline for the extractive fallback (default: the pipeline's, 250). */
  KBALIGN_FALLBACK_RESERVE_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /** Limit of the first-answer stage before query expansion is skipped (default: the pipeline's, 8000). */
  KBALIGN_FIRST_ANSWER_TIMEOUT_MS: positiveInt.optional(),
  /** How the second recall uses the first answer: fused (default), weighted or concat (see docs/evaluation.md). */
  KBALIGN_QUERY_EXPANSION: z.enum(["fused", "weighted", "concat"]).optional(),
  /** Weight of each of the first answer's terms against 1 for each question term (default: the pipeline's, 0.3). */
  KBALIGN_EXPANSION_WEIGHT: z.coerce.number().gt(0).max(1).optional(),
  /** How many of the first answer's terms expand the question, rarest first (default: the pipeline's, 10). */
  KBALIGN_EXPANSION_MAX_TERMS: z.coerce.number().int().min(1).max(200).optional(),
  /** Put the question and answers on the stage spans (kbalign.query, kbalign.answer): debugging only. */
  KBALIGN_TRACE_CONTENT: z.stringbool().default(false),
  /** On SIGTERM, how long in-flight requests may run before they are cancelled. */
  KBALIGN_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
});
export type OrchestratorConfig = Readonly<z.infer<typeof OrchestratorEnv>>;

export const loadConfig = (env: Record<string, string | undefined> = process.env): OrchestratorConfig => parseEnv(OrchestratorEnv, env);

/** The pipeline's options from the environment; unset ones keep the pipeline's defaults. */
export function pipelineConfig(config: OrchestratorConfig): KBAlignConfigInput {
  return {
    maxRetries: config.KBALIGN_MAX_RETRIES,
    retrieveTimeoutMs: config.KBALIGN_RETRIEVE_TIMEOUT_MS,
    firstAnswerTimeoutMs: config.KBALIGN_FIRST_ANSWER_TIMEOUT_MS,
    firstChunkTimeoutMs: config.KBALIGN_FIRST_CHUNK_TIMEOUT_MS,
    fallbackReserveMs: config.KBALIGN_FALLBACK_RESERVE_MS,
    systemPrompt: config.KBALIGN_SYSTEM_PROMPT,
    promptTemplate: config.KBALIGN_PROMPT_TEMPLATE,
    queryExpansion: config.KBALIGN_QUERY_EXPANSION,
    expansionWeight: config.KBALIGN_EXPANSION_WEIGHT,
    expansionMaxTerms: config.KBALIGN_EXPANSION_MAX_TERMS,
    defaultTopn: config.KBALIGN_DEFAULT_TOPN,
    finalMaxChars: config.KBALIGN_EXTRACTIVE_FINAL_MAX_CHARS,
  };
}
