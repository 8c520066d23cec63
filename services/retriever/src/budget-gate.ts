import type { KbDocument } from "@kbalign/contracts";
import type { Log } from "@kbalign/nats";
import { documentBytes, type BudgetRefusal, type IndexBudget } from "./index-budget.js";
import type { RetrieverMetrics } from "./metrics.js";

/**
 * The follower's check before indexing a document: true to index it; false when the budget refuses
 * it, counted in `kbalign_kb_documents_refused_total{reason}` and logged (the first refusal of each
 * reason, then one line per 1,000, so a flood cannot flood the log too).
 */
export function createBudgetGate(budget: IndexBudget | undefined, metrics: RetrieverMetrics, log: Log) {
  const refusals: Record<BudgetRefusal, number> = { index_bytes: 0, collection_documents: 0 };
  return (document: KbDocument, seq: number): boolean => {
    if (!budget) return true;
    const verdict = budget.admit(document.collection, document.id, documentBytes(document));
    if (verdict.ok) {
      metrics.indexTextBytes.set(budget.textBytes);
      return true;
    }
    metrics.documentsRefused.inc({ reason: verdict.reason });
    const count = ++refusals[verdict.reason];
    if (count === 1 || count % 1_000 === 0) {
      log.warn(
        { seq, collection: document.collection, id: document.id, reason: verdict.reason, refused: count, limits: budget.limits, textBytes: budget.textBytes },
        "index budget reached: knowledge-base document not indexed",
      );
    }
    return false;
  };
}
