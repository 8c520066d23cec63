import MiniSearch, { type Options } from "minisearch";
import { tokenize } from "../../../shared/text/dist/index.js";
import { characterBigrams, segmenterWords } from "./chinese-terms.js";
import type { BenchDocument, Engine } from "./engine.js";

/** minisearch over fields title and text with its default BM25+ scoring and OR combination. */
function minisearchEngine(name: string, setup: string, options: Partial<Options<BenchDocument>> = {}): Engine {
  return {
    name,
    setup,
    build(docs) {
      const index = new MiniSearch<BenchDocument>({ fields: ["title", "text"], ...options });
      index.addAll(docs);
      // minisearch has no limit: it scores and sorts every matching document, then we cut.
      return { search: (query, topn) => index.search(query).slice(0, topn).map((hit) => String(hit.id)) };
    },
  };
}

/** Terms already come lower-cased (and stemmed) from the tokenizer: nothing left to process. */
const keepTerm = (term: string): string => term;

export const minisearchDefault = minisearchEngine(
  "minisearch",
  "fields title, text; its default tokenizer (Unicode space/punctuation) and processTerm (lower-case); no stemming, no stop words",
);

export const minisearchKbalignTerms = minisearchEngine(
  "minisearch + kbalign tokenizer",
  "fields title, text; tokenize = @kbalign/text tokenize, processTerm = identity",
  { tokenize: (text) => tokenize(text), processTerm: keepTerm },
);

export const minisearchBigrams = minisearchEngine(
  "minisearch + character bigrams",
  "fields title, text; tokenize = overlapping Han character bigrams (other scripts: words), processTerm = identity",
  { tokenize: characterBigrams, processTerm: keepTerm },
);

export const minisearchSegmenterWords = minisearchEngine(
  "minisearch + Intl.Segmenter words",
  "fields title, text; tokenize = Intl.Segmenter('zh') word-like segments, no stop words, processTerm = identity",
  { tokenize: segmenterWords, processTerm: keepTerm },
);
