import { CollectionNotFoundError, TimeoutError, type Document } from "@kbalign/contracts";
import { tokenize } from "@kbalign/text";
import { extractiveChunks } from "./extractive-chunks.js";
import type { GeneratorPort, RetrieverPort } from "./ports.js";

/** A document of an in-process collection. */
export interface InProcessDocument {
  id: string;
  text: string;
  title?: string;
}

interface IndexedDocument {
  doc: InProcessDocument;
  terms: Set<string>;
}

/**
 * A RetrieverPort over documents held in memory, for embedding KBAlign with no server and for
 * tests. Scoring is deliberately simple: the inverse document frequency of the query terms a
 * document contains (each term counted once). The retriever service implements real BM25.
 * An unknown collection throws COLLECTION_NOT_FOUND.
 */
export function createInProcessRetriever(collections: Readonly<Record<string, readonly InProcessDocument[]>>): RetrieverPort {
  const indexes = new Map<string, IndexedDocument[]>();
  for (const [name, docs] of Object.entries(collections)) {
    indexes.set(
      name,
      docs.map((doc) => ({ doc, terms: new Set(tokenize(`${doc.title ?? ""}\n${doc.text}`)) })),
    );
  }
  return {
    async retrieve(req, { signal }) {
      signal.throwIfAborted();
      const index = indexes.get(req.collection);
      if (!index) throw new CollectionNotFoundError(req.collection);
      const queryTerms = new Set(tokenize(req.query));
      const df = new Map<string, number>();
      for (const { terms } of index) for (const term of queryTerms) if (terms.has(term)) df.set(term, (df.get(term) ?? 0) + 1);
      const scored: Document[] = [];
      for (const { doc, terms } of index) {
        let score = 0;
        for (const [term, f] of df) if (terms.has(term)) score += Math.log(1 + index.length / f);
        if (score > 0) scored.push({ id: doc.id, score, text: doc.text, ...(doc.title === undefined ? {} : { title: doc.title }) });
      }
      // Stable sort: ties keep the collection's order.
      return scored.sort((a, b) => b.score - a.score).slice(0, req.topn);
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
