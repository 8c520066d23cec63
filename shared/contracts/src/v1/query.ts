import { z } from "zod";
import { ErrorCode } from "../errors.js";
import { ChatMessage, CollectionName, DocRef, Query, TopN } from "./common.js";

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const RequestId = z.string().regex(REQUEST_ID_PATTERN, "must be 1-128 characters of A-Z a-z 0-9 . _ : -");

/** Body of a request on `kbalign.v1.query`. Unknown keys are stripped. */
export const QueryRequest = z.object({
  query: Query,
  collection: CollectionName,
  messages: z.array(ChatMessage).max(100).default([]),
  topn: TopN.default(5),
  /** true: the final answer arrives as many `data` events; false: as one. */
  stream: z.boolean().default(true),
  requestId: RequestId.optional(),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
});
export type QueryRequest = z.infer<typeof QueryRequest>;
export type QueryRequestInput = z.input<typeof QueryRequest>;

/** Body of a message on `kbalign.v1.cancel`. */
export const CancelRequest = z.object({ requestId: RequestId });
export type CancelRequest = z.infer<typeof CancelRequest>;

/** Reply to a cancel sent as a request: whether this replica held the request and stopped it. */
export const CancelReply = z.object({ cancelled: z.boolean() });
export type CancelReply = z.infer<typeof CancelReply>;

export const Stage = z.enum(["recall", "first_answer", "query_expansion_recall", "final_answer"]);
export type Stage = z.infer<typeof Stage>;

/** A fallback the pipeline took instead of failing; `done.degraded` lists them. */
export const Degradation = z.object({
  stage: Stage,
  /** The error code of the failure that caused it. */
  code: ErrorCode,
  /** What was done instead, e.g. "skipped query expansion". */
  fallback: z.string(),
  message: z.string(),
});
export type Degradation = z.infer<typeof Degradation>;

/** Wall-clock milliseconds per stage, present for the stages that ran. */
export const TimingsMs = z.object({
  recall: z.number().optional(),
  first_answer: z.number().optional(),
  query_expansion_recall: z.number().optional(),
  final_answer: z.number().optional(),
  total: z.number(),
});
export type TimingsMs = z.infer<typeof TimingsMs>;

const base = { requestId: z.string(), seq: z.number().int().min(0) };

export const RecallEvent = z.object({
  ...base,
  state: z.enum(["recall", "query_expansion_recall"]),
  value: z.array(z.string()),
  docs: z.array(DocRef),
});
export const FirstAnswerEvent = z.object({ ...base, state: z.literal("first_answer"), value: z.string() });
export const DataEvent = z.object({ ...base, state: z.literal("data"), value: z.string() });
export const ErrorEvent = z.object({
  ...base,
  state: z.literal("error"),
  value: z.string(),
  code: ErrorCode,
  retryable: z.boolean(),
  field: z.string().optional(),
});
export const DoneEvent = z.object({
  ...base,
  state: z.literal("done"),
  value: z.string(),
  timingsMs: TimingsMs,
  degraded: z.array(Degradation),
  /** Revision of the runtime configuration (KV bucket KBALIGN_CONFIG) that answered; absent when none was read. */
  configRevision: z.number().int().min(0).optional(),
  /** Version of the collection that answered; absent when no retrieval reported one. */
  kbVersion: z.number().int().min(1).optional(),
});

/** One message on a query's reply subject. */
export const StageEvent = z.discriminatedUnion("state", [RecallEvent, FirstAnswerEvent, DataEvent, ErrorEvent, DoneEvent]);
export type StageEvent = z.infer<typeof StageEvent>;
export type RecallEvent = z.infer<typeof RecallEvent>;
export type ErrorEvent = z.infer<typeof ErrorEvent>;
export type DoneEvent = z.infer<typeof DoneEvent>;

/** A stage event before the event stream numbers it. */
export type StageEventBody = StageEvent extends infer E ? (E extends StageEvent ? Omit<E, "requestId" | "seq"> : never) : never;

export const isTerminal = (event: { state: string }): boolean => event.state === "done" || event.state === "error";
