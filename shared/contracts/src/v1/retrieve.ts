import { z } from "zod";
import { CollectionName, Document } from "./common.js";

/**
 * How deep one retrieval may rank: deeper than a query's `topn` (at most 50), so that evaluation can
 * measure Recall@100 through the same service that answers.
 */
export const RetrieveDepth = z.number().int().min(1).max(100);

/**
 * Query expansion (KBAlign's second recall): the draft answer's terms join the question's at a lower
 * weight. Only `maxTerms` of them count: those the question lacks, rarest in the collection first.
 */
export const RetrieveExpansion = z.object({
  text: z.string().max(40_000),
  /** Weight of each draft term against 1 for each question term. */
  weight: z.number().gt(0).max(1),
  maxTerms: z.number().int().min(1).max(200),
  /**
   * "rrf": rank the expanded query and the question alone, then fuse the two rankings by reciprocal
   * rank, the question's counting twice; "none" (the default): the expanded ranking alone.
   */
  fusion: z.enum(["none", "rrf"]).optional(),
});
export type RetrieveExpansion = z.infer<typeof RetrieveExpansion>;

/** `kbalign.v1.retrieve` request. */
export const RetrieveRequest = z.object({
  collection: CollectionName,
  query: z.string().min(1).max(40_000),
  topn: RetrieveDepth,
  /** Optional (added in v1 without a version bump: older retrievers ignore it and rank `query` alone). */
  expansion: RetrieveExpansion.optional(),
  /**
   * Rank this version of the collection instead of the one it serves (optional, added in v1): the
   * second recall of a query asks for the version that answered the first, so a switch between the
   * two cannot mix versions in one answer.
   */
  version: z.number().int().min(1).optional(),
});
export type RetrieveRequest = z.infer<typeof RetrieveRequest>;

export const RetrieveResponse = z.object({
  docs: z.array(Document),
  /** The collection version that was ranked (optional, added in v1). */
  kbVersion: z.number().int().min(1).optional(),
});
export type RetrieveResponse = z.infer<typeof RetrieveResponse>;
