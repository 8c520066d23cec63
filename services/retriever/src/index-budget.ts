/** What the indexes of one retriever may hold, so that a flood of documents cannot exhaust its memory. */
export interface IndexBudgetLimits {
  /** Text (and title) bytes over every collection (KBALIGN_INDEX_MAX_TEXT_BYTES). */
  maxTextBytes: number;
  /** Documents in one collection (KBALIGN_INDEX_MAX_DOCUMENTS_PER_COLLECTION). */
  maxDocumentsPerCollection: number;
}

export type BudgetRefusal = "index_bytes" | "collection_documents";
export type BudgetVerdict = { ok: true } | { ok: false; reason: BudgetRefusal };

/** A document's weight in the budget: the UTF-8 bytes of its text and title. */
export const documentBytes = (doc: { text: string; title?: string | undefined }): number =>
  Buffer.byteLength(doc.text) + (doc.title === undefined ? 0 : Buffer.byteLength(doc.title));

/**
 * Counts what the indexes hold and refuses a document that would take them past a limit. A
 * replacement is weighed by the difference with the version it replaces, so re-ingesting a
 * collection never counts it twice. Index memory grows with the text indexed (terms, postings),
 * which is why text bytes are what is budgeted.
 */
export class IndexBudget {
  private readonly sizes = new Map<string, Map<string, number>>();
  private total = 0;

  constructor(readonly limits: IndexBudgetLimits) {}

  /** Takes `bytes` for the document if within the limits, replacing its previous weight. */
  admit(collection: string, id: string, bytes: number): BudgetVerdict {
    const documents = this.sizes.get(collection);
    const previous = documents?.get(id);
    if (previous === undefined && (documents?.size ?? 0) >= this.limits.maxDocumentsPerCollection) return { ok: false, reason: "collection_documents" };
    const total = this.total - (previous ?? 0) + bytes;
    if (total > this.limits.maxTextBytes) return { ok: false, reason: "index_bytes" };
    this.total = total;
    if (documents) documents.set(id, bytes);
    else this.sizes.set(collection, new Map([[id, bytes]]));
    return { ok: true };
  }

  /** Gives back a document's weight (it was deleted from the index). */
  release(collection: string, id: string): void {
    const documents = this.sizes.get(collection);
    const bytes = documents?.get(id);
    if (documents === undefined || bytes === undefined) return;
    documents.delete(id);
    this.total -= bytes;
  }

  /** Text bytes held over every collection. */
  get textBytes(): number {
    return this.total;
  }
}
