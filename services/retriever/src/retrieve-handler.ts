import { CollectionNotFoundError, type RetrieveRequest, type RetrieveResponse } from "@kbalign/contracts";
import type { IndexRegistry } from "./index-registry.js";

export interface RetrieveHandlerDeps {
  indexes: IndexRegistry;
}

/**
 * `kbalign.v1.retrieve`: the `topn` best documents of the collection for the query. A collection
 * with no document is reported as not found rather than answered with nothing, so a typo in a
 * collection name surfaces as an error instead of as answers grounded on no document.
 */
export function createRetrieveHandler({ indexes }: RetrieveHandlerDeps) {
  return async (req: RetrieveRequest): Promise<RetrieveResponse> => {
    const index = indexes.get(req.collection);
    if (!index || index.size === 0) throw new CollectionNotFoundError(req.collection);
    return { docs: index.search({ text: req.query, expansion: req.expansion }, req.topn) };
  };
}
