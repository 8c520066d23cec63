// Search latency of one BM25 index; outside the test suite (speed is measured, never asserted).
//   npx vitest bench --config ../../vitest.shared.ts --dir bench
// KBALIGN_BENCH_CORPUS=/path/to/corpus.jsonl (BEIR layout) uses a real corpus; otherwise a synthetic
// Zipf-distributed one of 5,000 documents.
import { readFileSync } from "node:fs";
import { bench, describe } from "vitest";
import { Bm25Index, type IndexableDocument } from "../src/bm25-index.js";

function syntheticCorpus(size: number): IndexableDocument[] {
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x`);
  let seed = 7;
  const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  // Zipf-like: word rank r drawn with probability ∝ 1/r.
  const word = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(random() * Math.log(vocabulary.length))) - 1)]!;
  return Array.from({ length: size }, (_, i) => ({ id: `doc-${i}`, text: Array.from({ length: 150 }, word).join(" ") }));
}

function loadCorpus(): IndexableDocument[] {
  const path = process.env.KBALIGN_BENCH_CORPUS;
  if (!path) return syntheticCorpus(5_000);
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { _id: string; title?: string; text: string })
    .map((record) => ({ id: record._id, title: record.title, text: record.text }));
}

const corpus = loadCorpus();
const index = new Bm25Index();
for (const doc of corpus) index.upsert(doc);
const shortQueries = corpus.slice(0, 200).map((doc) => doc.text.split(/\s+/).slice(3, 9).join(" "));
// Query expansion sends the question plus a whole first answer.
const longQueries = corpus.slice(200, 300).map((doc, i) => `${shortQueries[i]}\n${doc.text}`);

describe(`BM25 search over ${corpus.length} documents`, () => {
  let i = 0;
  bench("short query, top 10", () => {
    index.search(shortQueries[i++ % shortQueries.length]!, 10);
  });
  bench("query + first answer, top 10", () => {
    index.search(longQueries[i++ % longQueries.length]!, 10);
  });
});
