import { CollectionNotFoundError, TimeoutError } from "@kbalign/contracts";
import { Bm25Index, type Bm25Parameters } from "@kbalign/search";
import { extractiveChunks } from "./extractive-chunks.js";
import type { GeneratorPort, RetrieverPort } from "./ports.js";

/** A document of an in-process collection. */
export interface InProcessDocument {
  id: string;
  text: string;
  title?: string;
}

/**
 * A RetrieverPort over documents held in memory, for embedding KBAlign with no server and for
 * tests: the same BM25 index (@kbalign/search) as the retriever service, so an embedded pipeline
 * ranks exactly as the service does with the same parameters. An unknown collection throws
 * COLLECTION_NOT_FOUND.
 */
export function createInProcessRetriever(
  collections: Readonly<Record<string, readonly InProcessDocument[]>>,
  parameters: Partial<Bm25Parameters> = {},
): RetrieverPort {
  const indexes = new Map<string, Bm25Index>();
  for (const [name, docs] of Object.entries(collections)) {
    const index = new Bm25Index(parameters);
    for (const doc of docs) index.upsert(doc);
    indexes.set(name, index);
  }
  return {
    async retrieve(req, { signal }) {
      signal.throwIfAborted();
      const index = indexes.get(req.collection);
      if (!index) throw new CollectionNotFoundError(req.collection);
      return index.search({ text: req.query, expansion: req.expansion }, req.topn);
    },
  };
}

export interface InProcessGeneratorOptions {
  /** Sentences per answer (default 3). */
  maxSentences?: number;
}

/**
 * A GeneratorPort that answers with the documents' own best sentences (extractiveAnswer from
 * @kbalign/text), one chunk per sentence. No model needed: this is what runs with no server.
 */
export function createInProcessGenerator(options: InProcessGeneratorOptions = {}): GeneratorPort {
  const maxSentences = options.maxSentences ?? 3;
  return {
    async *generate(req, { signal, deadline }) {
      for (const chunk of extractiveChunks(req.query, req.documents, maxSentences)) {
        signal.throwIfAborted();
        if (Date.now() >= deadline) throw new TimeoutError("generation passed its deadline");
        yield chunk;
      }
    },
  };
}
