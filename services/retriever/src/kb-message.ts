import { collectionOfKbSubject, KbDocument } from "@kbalign/contracts";
import { decodeJson } from "@kbalign/nats";

/** Why a KB stream message was not indexed (a bounded metric label). */
export type InvalidReason = "not_json" | "schema" | "subject_mismatch";

export type KbMessageResult =
  | { ok: true; document: KbDocument }
  /** `detail` names what is wrong without quoting the payload (document texts stay out of logs). */
  | { ok: false; reason: InvalidReason; detail: string };

/** Decodes and validates one message of the KBALIGN_KB stream. */
export function parseKbMessage(subject: string, data: Uint8Array): KbMessageResult {
  let body: unknown;
  try {
    body = decodeJson(data);
  } catch {
    // The SyntaxError's message quotes the payload, so it is not passed on.
    return { ok: false, reason: "not_json", detail: `body is not valid JSON (${data.length} bytes)` };
  }
  const parsed = KbDocument.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join(".") || "(document)";
    return { ok: false, reason: "schema", detail: `${path}: ${issue?.message ?? "invalid"}` };
  }
  // The stream keeps one message per subject, which is what makes re-ingesting replace a document;
  // a document filed under another collection's subject would escape that.
  const subjectCollection = collectionOfKbSubject(subject);
  if (subjectCollection !== parsed.data.collection) {
    return {
      ok: false,
      reason: "subject_mismatch",
      detail: `document of collection '${parsed.data.collection}' published on a subject of collection '${subjectCollection ?? "(none)"}'`,
    };
  }
  return { ok: true, document: parsed.data };
}
