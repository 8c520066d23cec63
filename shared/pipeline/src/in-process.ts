import { CollectionNotFoundError, TimeoutError, type Document, type RetrieveRequest } from "@kbalign/contracts";
import { Bm25Index, type Bm25Parameters } from "@kbalign/search";
import { defaultExtractiveLimits, detectLanguage, extractiveChunks, noDocumentsAnswer } from "@kbalign/text";
import type { GeneratorPort, RetrieveOptions, RetrieverPort } from "./ports.js";

/** A RetrieverPort that always answers with plain documents (an in-process collection has one version). */
export interface InProcessRetriever extends RetrieverPort {
  retrieve(req: RetrieveRequest, opts: RetrieveOptions): Promise<Document[]>;
}

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
): InProcessRetriever {
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
  /** Sentences per answer (default: the generator service's extractive limits, 2 for the first answer and 5 for the final one). */
  maxSentences?: number;
}

/**
 * A GeneratorPort that answers with the documents' own best sentences: the extractive answerer of
 * @kbalign/text with the generator service's default limits, so an embedded pipeline answers as the
 * service does. One chunk per sentence; no model needed.
 */
export function createInProcessGenerator(options: InProcessGeneratorOptions = {}): GeneratorPort {
  return {
    async *generate(req, { signal, deadline }) {
      const limits = defaultExtractiveLimits[req.purpose];
      const chunks = extractiveChunks(req.query, req.documents, options.maxSentences === undefined ? limits : { ...limits, maxSentences: options.maxSentences });
      if (chunks.length === 0) chunks.push(noDocumentsAnswer[detectLanguage(req.query)]);
      for (const chunk of chunks) {
        signal.throwIfAborted();
        if (Date.now() >= deadline) throw new TimeoutError("generation passed its deadline");
        yield chunk;
      }
    },
  };
}
