import type { Document, RetrieveRequest } from "@kbalign/contracts";
import { LRUCache } from "lru-cache";

export interface ResultCacheOptions {
  /** Most results kept; 0 turns the cache off. */
  maxEntries: number;
  /** Most heap bytes the kept results may take (estimated, counted high). */
  maxBytes: number;
  onHit?: () => void;
  onMiss?: () => void;
}

/** A cached ranking, shared by every request that hits it: frozen, never to be changed. */
export type CachedDocuments = Document[];

// Heap bytes, counted high: an entry's key and Map/list slots (~200 with the key string's header), a
// document object 80 plus its strings (2 bytes per UTF-16 unit). A cached document's strings are
// the index's own while the document lives, but a replaced one's are pinned until the entry goes:
// counted as if always its own, so the budget holds in the worst case.
const ENTRY_BYTES = 200;
const DOCUMENT_BYTES = 80;
const stringBytes = (text: string): number => 24 + 2 * text.length;
const entryBytes = (docs: CachedDocuments, key: string): number =>
  docs.reduce(
    (bytes, doc) => bytes + DOCUMENT_BYTES + stringBytes(doc.id) + (doc.title === undefined ? 0 : stringBytes(doc.title)) + stringBytes(doc.text),
    ENTRY_BYTES + 2 * key.length,
  );

/**
 * The retriever's recent rankings, least recently used first out, bounded by entries and bytes.
 * A ranking is keyed by everything that decides it: the request (collection, query, topn, expansion)
 * and the collection's generation, which changes with every change to its documents and never
 * repeats (Bm25Index.generation). A change to a collection therefore makes every ranking cached
 * before it unreachable at once: no answer is ever served from a collection state that is gone.
 * Unreachable entries age out like any other.
 */
export class RetrieveResultCache {
  readonly #cache: LRUCache<string, CachedDocuments> | undefined;
  readonly #options: ResultCacheOptions;

  constructor(options: ResultCacheOptions) {
    this.#options = options;
    if (options.maxEntries > 0 && options.maxBytes > 0) {
      this.#cache = new LRUCache<string, CachedDocuments>({ max: options.maxEntries, maxSize: options.maxBytes, sizeCalculation: entryBytes });
    }
  }

  /** Cached entries (0 when off). */
  get size(): number {
    return this.#cache?.size ?? 0;
  }

  /**
   * The ranking for `req` at the collection's `generation`: from the cache, or from `rank` (then
   * kept). With the cache off, always `rank`'s, and nothing is counted.
   */
  rank(req: RetrieveRequest, generation: number, rank: () => CachedDocuments): CachedDocuments {
    if (!this.#cache) return rank();
    const key = cacheKey(req, generation);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#options.onHit?.();
      return cached;
    }
    this.#options.onMiss?.();
    const docs = rank();
    Object.freeze(docs);
    this.#cache.set(key, docs);
    return docs;
  }
}

/** Unambiguous: a JSON array of every field that decides a ranking. */
function cacheKey(req: RetrieveRequest, generation: number): string {
  const { expansion } = req;
  return JSON.stringify(
    expansion === undefined
      ? [req.collection, generation, req.topn, req.query]
      : [req.collection, generation, req.topn, req.query, expansion.text, expansion.weight, expansion.maxTerms, expansion.fusion ?? "none"],
  );
}
