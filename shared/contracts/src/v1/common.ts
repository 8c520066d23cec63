import { z } from "zod";

/** Collection names become a NATS subject token: no dots, wildcards or spaces. */
export const CollectionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must match ^[a-z0-9][a-z0-9_-]{0,63}$ (lower-case letters, digits, '_' or '-')");
export type CollectionName = z.infer<typeof CollectionName>;

export const Role = z.enum(["system", "user", "assistant"]);
export type Role = z.infer<typeof Role>;

export const ChatMessage = z.object({
  role: Role,
  content: z.string().max(32_000),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const Query = z.string().trim().min(1, "must not be empty").max(8_000);

export const TopN = z.number().int().min(1).max(50);

/** A retrieved document: what the retriever returns and the generator grounds on. */
export const Document = z.object({
  id: z.string(),
  score: z.number(),
  title: z.string().optional(),
  text: z.string(),
});
export type Document = z.infer<typeof Document>;

/** What recall events carry beside the texts: enough to cite, not the text again. */
export const DocRef = z.object({
  id: z.string(),
  score: z.number(),
  title: z.string().optional(),
});
export type DocRef = z.infer<typeof DocRef>;
