/** A document as every engine receives it: BEIR's `_id`, `title` and `text`. */
export interface BenchDocument {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

/**
 * A built index. `search` returns document ids, best first, at most `topn` of them; a library
 * whose search may be asynchronous (orama) returns its promise as is, so the synchronous ones
 * pay no `await`.
 */
export interface Searcher {
  search(query: string, topn: number): readonly string[] | Promise<readonly string[]>;
}

/** One retriever configuration under test. */
export interface Engine {
  /** Short name: the table's row and the child process's argument. */
  readonly name: string;
  /** How it is configured, for the report. */
  readonly setup: string;
  build(docs: readonly BenchDocument[]): Searcher | Promise<Searcher>;
}
