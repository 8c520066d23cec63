// The built package, as the retriever service runs it; never its sources.
import { Bm25Index } from "../../../shared/search/dist/index.js";
import type { Engine } from "./engine.js";

export const kbalign: Engine = {
  name: "kbalign",
  setup: "@kbalign/search Bm25Index (defaults), title + text as upsert takes them, @kbalign/text tokenizer",
  build(docs) {
    const index = new Bm25Index();
    for (const doc of docs) index.upsert(doc.title === "" ? { id: doc.id, text: doc.text } : doc);
    return { search: (query, topn) => index.search(query, topn).map((hit) => hit.id) };
  },
};
