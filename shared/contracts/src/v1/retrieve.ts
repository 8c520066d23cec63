import { z } from "zod";
import { CollectionName, Document, TopN } from "./common.js";

/** `kbalign.v1.retrieve` request. */
export const RetrieveRequest = z.object({
  collection: CollectionName,
  query: z.string().min(1).max(40_000),
  topn: TopN,
});
export type RetrieveRequest = z.infer<typeof RetrieveRequest>;

export const RetrieveResponse = z.object({ docs: z.array(Document) });
export type RetrieveResponse = z.infer<typeof RetrieveResponse>;



