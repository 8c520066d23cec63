import { RetrieveResponse, Subjects, toKBAlignError, type RetrieveRequest } from "@kbalign/contracts";
import { requestJson, type NatsConnection } from "@kbalign/nats";
import { expandQuery, parseKBAlignConfig, type RecallQuery } from "@kbalign/pipeline";

/**
 * Recall@100 needs rankings 100 deep, and a query's `topn` stops at 50. So eval asks the retrievers
 * directly, on the internal `kbalign.v1.retrieve` (as the orchestrator does), for both recalls of
 * each question, 100 deep:
 * - the first recall: the question alone;
 * - the second: the question expanded by the first answer the pipeline streamed, built by the
 *   pipeline's own `expandQuery` with the DEFAULT KBAlign config (the fused expansion, its default
 *   weight, term limit and draft length). An orchestrator run with another expansion config is not
 *   mirrored; the top of each deep ranking is compared with the public event to catch that.
 */
export const DEEP_RANKING_DEPTH = 100;

/** The expansion settings mirrored: the pipeline's defaults. */
export const MIRRORED_EXPANSION = (() => {
  const config = parseKBAlignConfig({});
  return Object.freeze({
    queryExpansion: config.queryExpansion,
    expansionWeight: config.expansionWeight,
    expansionMaxTerms: config.expansionMaxTerms,
    firstAnswerMaxChars: config.firstAnswerMaxChars,
  });
})();

/** A transient failure (e.g. a retriever restarting) is tried again this many times. */
const RETRIES = 2;
const RETRY_DELAY_MS = 100;

export type DeepRanking = { ok: true; ids: string[] } | { ok: false; code: string; message: string };

export interface DeepRankingOptions {
  collection: string;
  timeoutMs: number;
}

/** The second recall's query as the orchestrator builds it with the default config. */
export const mirroredExpansionQuery = (question: string, firstAnswer: string): RecallQuery => expandQuery(question, firstAnswer, MIRRORED_EXPANSION);

/** One recall ranked DEEP_RANKING_DEPTH deep, or the code it failed with. */
export async function retrieveDeepRanking(nc: NatsConnection, query: RecallQuery, options: DeepRankingOptions): Promise<DeepRanking> {
  const request: RetrieveRequest = { collection: options.collection, topn: DEEP_RANKING_DEPTH, ...query };
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await requestJson(nc, Subjects.retrieve, request, { response: RetrieveResponse, timeoutMs: options.timeoutMs });
      return { ok: true, ids: response.docs.map((doc) => doc.id) };
    } catch (err) {
      const error = toKBAlignError(err);
      if (!error.retryable || attempt >= RETRIES) return { ok: false, code: error.code, message: error.message };
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt + 1)));
    }
  }
}
