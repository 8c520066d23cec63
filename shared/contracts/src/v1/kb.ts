import { z } from "zod";
import { CollectionName } from "./common.js";

/** Largest document text accepted (NATS' default max payload is 1 MiB; leave room for the envelope). */
export const MAX_DOCUMENT_TEXT_BYTES = 900_000;

/** One knowledge-base document as stored in the KBALIGN_KB stream. */
export const KbDocument = z.object({
  id: z.string().min(1).max(512),
  collection: CollectionName,
  title: z.string().max(2_000).optional(),
  text: z.string().trim().min(1, "must not be empty"),
  /** Where it came from (file path, URL); informational. */
  source: z.string().max(2_000).optional(),
});
export type KbDocument = z.infer<typeof KbDocument>;
