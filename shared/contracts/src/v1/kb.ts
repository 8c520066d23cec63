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

/** A collection version number: 1, 2, … */
export const KbVersion = z.number().int().min(1).max(999_999_999);

/**
 * What a deleted document's subject holds instead of the document. The stream keeps the last message
 * per subject, so the tombstone replaces the document: a replica that starts later never sees it.
 */
export const KbTombstone = z.object({
  id: z.string().min(1).max(512),
  collection: CollectionName,
  deleted: z.literal(true),
  deletedAt: z.string().optional(),
});
export type KbTombstone = z.infer<typeof KbTombstone>;

/** A document subject's message: a document, or the tombstone of a deleted one. */
export const KbRecord = z.union([KbTombstone, KbDocument]);
export type KbRecord = z.infer<typeof KbRecord>;

/** On `kbalign.v1.kb.<collection>.current`: the version the collection serves (version 1 when absent). */
export const KbPointer = z.object({
  collection: CollectionName,
  /** 0: nothing is served yet (a new collection's first version is loading). */
  version: z.number().int().min(0).max(999_999_999),
  /** The version served before this message, when there was one (what `kb rollback` returns to). */
  previous: KbVersion.optional(),
  switchedAt: z.string(),
});
export type KbPointer = z.infer<typeof KbPointer>;

/** On `kbalign.v1.kb.<collection>.<N>.manifest`: written once version N is completely loaded. */
export const KbManifest = z.object({
  collection: CollectionName,
  version: KbVersion,
  /** Documents the version was loaded with (deletes made later do not change it). */
  documents: z.number().int().min(0),
  createdAt: z.string(),
  /** Where it was loaded from (a path, or a snapshot file); informational. */
  source: z.string().max(2_000).optional(),
});
export type KbManifest = z.infer<typeof KbManifest>;
