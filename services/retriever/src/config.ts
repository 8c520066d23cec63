import { z } from "zod";
import { parseEnv, Port, SharedEnv } from "@kbalign/config";
import { DEFAULT_BM25_PARAMETERS } from "@kbalign/search";

const RetrieverEnv = SharedEnv.extend({
  /** Port of /metrics, /healthz and /readyz; 0 picks any free port. */
  KBALIGN_HTTP_PORT: Port.default(9101),
  /** BM25 term-frequency saturation (default 0.9, as Anserini; Lucene's is 1.2). */
  KBALIGN_BM25_K1: z.coerce.number().min(0).max(100).default(DEFAULT_BM25_PARAMETERS.k1),
  /** BM25 document-length normalisation, 0 (none) to 1 (full) (default 0.9; Anserini's 0.4, Lucene's 0.75). */
  KBALIGN_BM25_B: z.coerce.number().min(0).max(1).default(DEFAULT_BM25_PARAMETERS.b),
  /** Weight of the title as a field of its own beside the whole text (default 0.2; 0 turns it off). */
  KBALIGN_BM25_TITLE_WEIGHT: z.coerce.number().min(0).max(10).default(DEFAULT_BM25_PARAMETERS.titleWeight),
  /**
   * Lifetime (ms) of each pull request of the KB consumer. It also paces recovery: heartbeats are
   * expected every half of it, and a consumer lost with a restarted server is re-checked this often.
   */
  KBALIGN_KB_PULL_EXPIRES_MS: z.coerce.number().int().min(1_000).max(300_000).default(5_000),
  /** How often (ms) the KB consumer's pending count is read for kbalign_kb_lag_messages between messages. */
  /** Text and title bytes all indexes may hold; a document past it is refused (counted, logged), never indexed. */
  KBALIGN_INDEX_MAX_TEXT_BYTES: z.coerce.number().int().min(1_024).default(256 * 1024 ** 2),
  /** Documents one collection's index may hold; a new document past it is refused (counted, logged). */
  KBALIGN_INDEX_MAX_DOCUMENTS_PER_COLLECTION: z.coerce.number().int().min(1).default(1_000_000),
  KBALIGN_KB_LAG_CHECK_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  /** Most rankings the result cache keeps (least recently used out first); 0 turns it off. */
  KBALIGN_RETRIEVE_CACHE_ENTRIES: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  /** Most heap bytes the result cache's rankings may take, documents' texts counted in full. */
  KBALIGN_RETRIEVE_CACHE_MAX_BYTES: z.coerce.number().int().min(0).max(2 ** 40).default(64 * 1024 * 1024),
});

export type RetrieverConfig = Readonly<z.infer<typeof RetrieverEnv>>;

/** Reads and validates the retriever's environment; throws a ConfigError listing every bad variable. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): RetrieverConfig => parseEnv(RetrieverEnv, env);
