import { create, insertMultiple, search, type Results, type Tokenizer } from "@orama/orama";
import { tokenize } from "../../../shared/text/dist/index.js";
import type { Engine } from "./engine.js";

const schema = { title: "string", text: "string" } as const;

function hitIds(results: Results<unknown>): string[] {
  return results.hits.map((hit) => hit.id);
}

/** Orama over title and text with its default BM25 and search options (which match query terms as prefixes). */
function oramaEngine(name: string, setup: string, tokenizer: Tokenizer | { stemming: true }): Engine {
  return {
    name,
    setup,
    async build(docs) {
      const db = create({ schema, components: { tokenizer } });
      await insertMultiple(db, docs.map((doc) => ({ id: doc.id, title: doc.title, text: doc.text })));
      return {
        search(query, topn) {
          const results = search(db, { term: query, limit: topn });
          return results instanceof Promise ? results.then(hitIds) : hitIds(results);
        },
      };
    },
  };
}

export const oramaDefault = oramaEngine(
  "orama",
  "create({ schema: { title: 'string', text: 'string' } }) with its bundled English stemmer on (tokenizer: { stemming: true }); otherwise defaults: no stop-word list, BM25, search({ term, limit }) with exact: false, i.e. each query term also matches every indexed word it prefixes",
  { stemming: true },
);

export const oramaKbalignTerms = oramaEngine(
  "orama + kbalign tokenizer",
  "as orama, with a custom tokenizer: @kbalign/text tokenize, duplicates removed (as orama's own tokenizer does by default: its index expects unique tokens per field)",
  { language: "english", normalizationCache: new Map(), tokenize: (raw) => [...new Set(tokenize(raw))] },
);
