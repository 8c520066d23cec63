import { z } from "zod";
import { ChatMessage, Document } from "./common.js";

export const Language = z.enum(["en", "zh"]);
export type Language = z.infer<typeof Language>;

export const Purpose = z.enum(["first_answer", "final_answer"]);
export type Purpose = z.infer<typeof Purpose>;

/**
 * `kbalign.v1.generate` request. The reply is a stream of GenerateReply messages on the request's
 * reply subject, ending with exactly one `end` message or one error envelope (see ErrorEnvelope).
 */
export const GenerateRequest = z.object({
  /** Client-chosen id; a message on `kbalign.v1.generate.cancel` with it stops the stream. */
  streamId: z.string().min(1).max(128),
  purpose: Purpose,
  query: z.string().min(1).max(8_000),
  messages: z.array(ChatMessage).default([]),
  documents: z.array(Document).max(50),
  /** Replaces the generator's default system prompt. */
  systemPrompt: z.string().max(16_000).optional(),
  /** Replaces the language's prompt template; placeholders {query}, {history}, {documents}. */
  promptTemplate: z.string().max(16_000).optional(),
  /** Prompt language; detected from the query when absent. */
  language: Language.optional(),
  maxTokens: z.number().int().min(1).max(32_768).optional(),
  /** Cap on the answer's length in characters (optional, added in v1): the extractive backend stops adding sentences past it. */
  maxChars: z.number().int().min(1).max(100_000).optional(),
  /** Absolute deadline, epoch milliseconds: the generator stops and reports TIMEOUT past it. */
  deadline: z.number().int().positive(),
  /**
   * Epoch milliseconds by which the first chunk must be sent: the caller gives up on the stream
   * then (and answers without it), so the generator stops waiting for its backend and counts a failure.
   */
  firstChunkBy: z.number().int().positive().optional(),
  /**
   * The caller reads a `chunk` carrying `finishReason` as the stream's last message (optional, added
   * in v1): the generator then sends its last text and the end of the stream in one message
   * instead of two. Generators that do not know it send a separate `end`, which such callers also read.
   */
  lastChunkEnds: z.boolean().optional(),
});
export type GenerateRequest = z.infer<typeof GenerateRequest>;
export type GenerateRequestInput = z.input<typeof GenerateRequest>;

export const GenerateReply = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("chunk"),
    seq: z.number().int().min(0),
    text: z.string(),
    /** Set only when the request asked for `lastChunkEnds`: this chunk is also the end of the stream. */
    finishReason: z.string().optional(),
  }),
  z.object({ type: z.literal("end"), seq: z.number().int().min(0), finishReason: z.string() }),
]);
export type GenerateReply = z.infer<typeof GenerateReply>;

/** True for the message that ends a generate stream: an `end`, or a chunk that ends it (`lastChunkEnds`). */
export function endsGenerateStream(reply: GenerateReply): boolean {
  return reply.type === "end" || reply.finishReason !== undefined;
}

export const GenerateCancel = z.object({ streamId: z.string().min(1).max(128) });
export type GenerateCancel = z.infer<typeof GenerateCancel>;
