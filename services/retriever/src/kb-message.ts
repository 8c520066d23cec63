import { KbManifest, KbPointer, KbRecord, parseKbSubject, type KbDocument, type KbTombstone } from "@kbalign/contracts";
import { decodeJson } from "@kbalign/nats";
import type { z } from "zod";

/** Why a KB stream message was not applied (a bounded metric label). */
export type InvalidReason = "not_json" | "schema" | "subject_mismatch";

/** One message of the KBALIGN_KB stream, read. */
export type KbMessage =
  | { kind: "document"; version: number; document: KbDocument }
  | { kind: "tombstone"; version: number; tombstone: KbTombstone }
  | { kind: "pointer"; pointer: KbPointer }
  | { kind: "manifest"; manifest: KbManifest };

export type KbMessageResult =
  | ({ ok: true } & KbMessage)
  /** `detail` names what is wrong without quoting the payload (document texts stay out of logs). */
  | { ok: false; reason: InvalidReason; detail: string };

/** Decodes and validates one message of the KBALIGN_KB stream: a document, a tombstone, a collection's pointer or a version's manifest. */
export function parseKbMessage(subject: string, data: Uint8Array): KbMessageResult {
  const place = parseKbSubject(subject);
  if (!place) return { ok: false, reason: "subject_mismatch", detail: "subject outside the knowledge-base layout" };
  let body: unknown;
  try {
    body = decodeJson(data);
  } catch {
    // The SyntaxError's message quotes the payload, so it is not passed on.
    return { ok: false, reason: "not_json", detail: `body is not valid JSON (${data.length} bytes)` };
  }
  switch (place.kind) {
    case "pointer": {
      const parsed = validate(KbPointer, body);
      if (!parsed.ok) return parsed;
      return sameCollection(place.collection, parsed.value.collection) ?? { ok: true, kind: "pointer", pointer: parsed.value };
    }
    case "manifest": {
      const parsed = validate(KbManifest, body);
      if (!parsed.ok) return parsed;
      if (parsed.value.version !== place.version) return { ok: false, reason: "subject_mismatch", detail: `manifest of version ${parsed.value.version} published on version ${place.version}'s subject` };
      return sameCollection(place.collection, parsed.value.collection) ?? { ok: true, kind: "manifest", manifest: parsed.value };
    }
    case "document": {
      const parsed = validate(KbRecord, body);
      if (!parsed.ok) return parsed;
      // The stream keeps one message per subject, which is what makes re-ingesting replace a document;
      // a document filed under another collection's subject would escape that.
      const mismatch = sameCollection(place.collection, parsed.value.collection, "document");
      if (mismatch) return mismatch;
      const record = parsed.value;
      return "deleted" in record
        ? { ok: true, kind: "tombstone", version: place.version, tombstone: record }
        : { ok: true, kind: "document", version: place.version, document: record };
    }
  }
}

function validate<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; reason: "schema"; detail: string } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  // A union reports its members' issues; the document's (the last member) are the useful ones.
  const issues = parsed.error.issues;
  const first = issues[0];
  const issue = first?.code === "invalid_union" ? (first.errors.at(-1)?.[0] ?? first) : first;
  const path = issue?.path.map(String).join(".") || "(document)";
  return { ok: false, reason: "schema", detail: `${path}: ${issue?.message ?? "invalid"}` };
}

function sameCollection(subjectCollection: string, bodyCollection: string, what = "message"): KbMessageResult | undefined {
  if (subjectCollection === bodyCollection) return undefined;
  return {
    ok: false,
    reason: "subject_mismatch",
    detail: `${what} of collection '${bodyCollection}' published on a subject of collection '${subjectCollection}'`,
  };
}
