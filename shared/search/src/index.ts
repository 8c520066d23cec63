export { Bm25Index, DEFAULT_BM25_PARAMETERS, type Bm25Parameters, type IndexableDocument, type UpsertResult } from "./bm25-index.js";
export { expansionTerms, type Expansion, type SearchQuery } from "./query-terms.js";
