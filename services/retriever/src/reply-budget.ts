import type { Document } from "@kbalign/contracts";
import { encodeJson, encodeWithinBudget, truncateText } from "@kbalign/nats";

/** What a retrieve reply had to give up to fit its byte budget. */
export interface FittedDocuments {
  docs: Document[];
  /** Documents left out (the lowest ranked). */
  dropped: number;
  /** True when the best document's text was cut (it alone did not fit). */
  truncated: boolean;
}

// JSON takes at most 6 bytes per UTF-16 unit (`\u0000`); a reply surely under the budget by this
// bound skips the exact measure, which the retrieve hot path would otherwise pay on every request.
const MAX_JSON_BYTES_PER_CHAR = 6;
const MAX_FIELD_OVERHEAD_BYTES = 64;

/**
 * The best documents whose reply `{"docs": [...]}` fits `maxBytes`. Whole documents, best first:
 * a grounded answer wants the best documents intact rather than every one cut short; the lowest
 * ranked are left out. When not even the best fits, it alone comes back with its text cut (and
 * marked), so the caller still has something to ground on. Empty when even that cannot fit.
 */
export function fitDocuments(docs: Document[], maxBytes: number): FittedDocuments {
  let bound = 16;
  for (const doc of docs) bound += (doc.id.length + (doc.title?.length ?? 0) + doc.text.length) * MAX_JSON_BYTES_PER_CHAR + MAX_FIELD_OVERHEAD_BYTES;
  if (bound <= maxBytes) return { docs, dropped: 0, truncated: false };

  let bytes = '{"docs":[]}'.length;
  let kept = 0;
  for (const doc of docs) {
    const more = encodeJson(doc).length + (kept === 0 ? 0 : 1); // its comma
    if (bytes + more > maxBytes) break;
    bytes += more;
    kept++;
  }
  if (kept > 0) return { docs: docs.slice(0, kept), dropped: docs.length - kept, truncated: false };

  const best = docs[0];
  if (!best) return { docs, dropped: 0, truncated: false };
  const fitted = encodeWithinBudget((cap) => ({ docs: [{ ...best, text: truncateText(best.text, cap) }] }), best.text.length, maxBytes);
  if (!fitted) return { docs: [], dropped: docs.length, truncated: false };
  return { docs: [{ ...best, text: truncateText(best.text, fitted.textCap ?? best.text.length) }], dropped: docs.length - 1, truncated: true };
}
