import { z } from "zod";

/** Options of a KBAlign pipeline; validated once by the constructor and frozen. */
export const KBAlignConfig = z
  .strictObject({
    /** Replaces the generator's prompt template; placeholders {query}, {history}, {documents}. */
    promptTemplate: z.string().min(1).max(16_000).optional(),
    /** System prompt used when the request carries no `system` message. */
    systemPrompt: z.string().min(1).max(16_000).optional(),
    /** Default for requests that do not say: true streams the final answer as many `data` events. */
    stream: z.boolean().default(true),
    /** Retries of a retryable retrieve/generate failure, on top of the first attempt. */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** Full-jitter backoff: a retry waits up to retryBaseDelayMs·2^attempt, at most retryMaxDelayMs. */
    retryBaseDelayMs: z.number().int().min(0).max(60_000).default(25),
    retryMaxDelayMs: z.number().int().min(0).max(60_000).default(500),
    /** Limit of one retrieve attempt. */
    retrieveTimeoutMs: z.number().int().min(1).max(300_000).default(2_000),
    /** Limit of the whole first-answer stage (retries included); past it, query expansion is skipped. */
    firstAnswerTimeoutMs: z.number().int().min(1).max(300_000).default(8_000),
    /**
     * Longest wait for a generation's first chunk, retries included. Past it the generator counts
     * as failed while there is still time: the first answer is skipped, the final answer is the
     * extractive one. Raise it for an LLM whose time to first token is longer.
     */
    firstChunkTimeoutMs: z.number().int().min(1).max(300_000).default(5_000),
    /**
     * Time kept before the request's deadline for the extractive fallback: the stages after the
     * first recall must be done (or are given up) this long before the deadline, so a recalled
     * request always ends with an answer, never a bare TIMEOUT.
     */
    fallbackReserveMs: z.number().int().min(0).max(60_000).default(250),
    /** The first answer is cut to this many characters before it expands the query. */
    firstAnswerMaxChars: z.number().int().min(1).max(30_000).default(1_000),
    /**
     * How the second recall uses the first answer. "fused" (default): the question's terms at weight 1
     * plus at most expansionMaxTerms of the answer's terms the question lacks (rarest first) at
     * expansionWeight each, that ranking fused by reciprocal rank with the question's own (which counts
     * twice). "weighted": the expanded ranking alone. "concat": question + "\n" + answer ranked as one
     * plain query, as in the original KBAlign. Measured in docs/evaluation.md: only "fused" is no
     * worse than the first recall on both SciFact and CMRC 2018.
     */
    queryExpansion: z.enum(["fused", "weighted", "concat"]).default("fused"),
    expansionWeight: z.number().gt(0).max(1).default(0.3),
    expansionMaxTerms: z.number().int().min(1).max(200).default(10),
    /** Sentences of the extractive answer used when the final generation fails before any chunk. */
    extractiveFallbackSentences: z.number().int().min(1).max(50).default(5),
  })
  .refine((c) => c.retryMaxDelayMs >= c.retryBaseDelayMs, {
    path: ["retryMaxDelayMs"],
    message: "must be at least retryBaseDelayMs",
  });
export type KBAlignConfig = z.infer<typeof KBAlignConfig>;
export type KBAlignConfigInput = z.input<typeof KBAlignConfig>;

/** Thrown by the KBAlign constructor for an invalid config; `field` names the offending option. */
export class KBAlignConfigError extends Error {
  override readonly name = "KBAlignConfigError";
  constructor(
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

/** Validates a config (defaults filled in) and freezes it. */
export function parseKBAlignConfig(input: unknown = {}): Readonly<KBAlignConfig> {
  const parsed = KBAlignConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // An unknown key is reported on the object itself; name the key instead.
    const keys = issue?.code === "unrecognized_keys" ? issue.keys : [];
    const field = keys[0] ?? (issue?.path.map(String).join(".") || undefined);
    throw new KBAlignConfigError(`invalid KBAlign config: ${field ?? "config"}: ${issue?.message ?? "invalid"}`, field);
  }
  return Object.freeze(parsed.data);
}
