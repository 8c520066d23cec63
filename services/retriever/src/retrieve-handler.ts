import { CollectionNotFoundError, type RetrieveRequest, type RetrieveResponse } from "@kbalign/contracts";
import type { Log } from "@kbalign/nats";
import type { IndexRegistry } from "./index-registry.js";
import { fitDocuments } from "./reply-budget.js";
import type { RetrieveResultCache } from "./result-cache.js";

export interface RetrieveHandlerDeps {
  indexes: IndexRegistry;
  /** Largest reply body NATS carries (the server's max_payload less room for headers); unlimited when absent. */
  maxReplyBytes?: () => number;
  log?: Log;
  /** Recent rankings, keyed by request and collection generation; every request ranks afresh when absent. */
  cache?: RetrieveResultCache;
  /** Counts a reply made to fit (`dropped`: documents left out; `truncated`: the best one cut). */
  onCut?: (fit: "dropped" | "truncated") => void;
}

/**
 * `kbalign.v1.retrieve`: the `topn` best documents of the collection for the query. A collection
 * with no document is reported as not found rather than answered with nothing, so a typo in a
 * collection name surfaces as an error instead of as answers grounded on no document.
 * A request naming a version ranks that version (NOT_FOUND once it is gone); the reply says which
 * version ranked. A reply that would not fit NATS' max_payload keeps the best documents that fit (see fitDocuments).
 */
export function createRetrieveHandler({ indexes, maxReplyBytes, log, cache, onCut }: RetrieveHandlerDeps) {
  return async (req: RetrieveRequest): Promise<RetrieveResponse> => {
    const found = indexes.resolve(req.collection, req.version);
    if (!found || found.index.size === 0) throw new CollectionNotFoundError(req.collection, req.version);
    const kbVersion = found.version;
    const { index } = found;
    const rank = () => index.search({ text: req.query, expansion: req.expansion }, req.topn);
    // The generation identifies the version's index and its state: a version switch or any change
    // to the documents reaches a different key.
    const docs = cache ? cache.rank(req, index.generation, rank) : rank();
    if (!maxReplyBytes) return { docs, kbVersion };
    const maxBytes = maxReplyBytes();
    const fitted = fitDocuments(docs, maxBytes);
    if (fitted.dropped > 0 || fitted.truncated) {
      onCut?.(fitted.truncated ? "truncated" : "dropped");
      log?.warn(
        { collection: req.collection, found: docs.length, returned: fitted.docs.length, truncated: fitted.truncated, maxBytes },
        "retrieve reply cut to fit max_payload",
      );
    }
    return { docs: fitted.docs, kbVersion };
  };
}
