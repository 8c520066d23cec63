import bm25 from "wink-bm25-text-search";
import nlp from "wink-nlp-utils";
import type { Engine } from "./engine.js";

export const wink: Engine = {
  name: "wink-bm25-text-search",
  setup: "fldWeights { title: 1, body: 1 }; prep tasks as in its README with wink-nlp-utils: lowerCase, tokenize0, removeWords, stem, propagateNegations; default BM25 (k1 1.2, b 0.75); consolidate()",
  build(docs) {
    const engine = bm25();
    engine.defineConfig({ fldWeights: { title: 1, body: 1 } });
    engine.definePrepTasks([nlp.string.lowerCase, nlp.string.tokenize0, nlp.tokens.removeWords, nlp.tokens.stem, nlp.tokens.propagateNegations]);
    for (const doc of docs) engine.addDoc({ title: doc.title, body: doc.text }, doc.id);
    engine.consolidate();
    return { search: (query, topn) => engine.search(query, topn).map(([id]) => id) };
  },
};
