import { z } from "zod";
import { badRequestFromZod, QueryRequest, RequestId, TopN, type BadRequestError } from "@kbalign/contracts";

/**
 * The pipeline's input: the public QueryRequest, except that an absent `stream` or `topn` means
 * "the pipeline's configured default" (config `stream`, `defaultTopn`) rather than true and 5.
 */
export const KBAlignInput = QueryRequest.extend({ stream: z.boolean().optional(), topn: TopN.optional() });
export type KBAlignInput = z.input<typeof KBAlignInput>;
export type KBAlignRequest = z.infer<typeof KBAlignInput>;

export type QueryValidation =
  | { success: true; request: KBAlignRequest }
  | { success: false; error: BadRequestError; requestId: string | undefined };

/** Validates a query; a failure is a BAD_REQUEST naming the first bad field, with the requestId if one could be read. */
export function validateQuery(input: unknown): QueryValidation {
  const parsed = KBAlignInput.safeParse(input);
  if (parsed.success) return { success: true, request: parsed.data };
  return { success: false, error: badRequestFromZod(parsed.error, "query request"), requestId: readRequestId(input) };
}

const WithRequestId = z.object({ requestId: RequestId });

/** The client's requestId from a body that may be invalid otherwise, when it is a valid id. */
export function readRequestId(input: unknown): string | undefined {
  const parsed = WithRequestId.safeParse(input);
  return parsed.success ? parsed.data.requestId : undefined;
}
