// The search that chose @kbalign/search's default BM25 parameters: a grid over k1, b and the title
// field's weight on SciFact's TRAIN queries only; the choice is then reported on the test split and
// on CMRC 2018. Outside the test suite.   npm run tune [-- /path/to/data]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Bm25Index, DEFAULT_BM25_PARAMETERS, type Bm25Parameters } from "../../shared/search/dist/index.js";
import { loadCorpus, loadTestQueries, type TestQuery } from "./beir-dataset.js";
import type { BenchDocument } from "./engines/engine.js";
import { dataDirectory, resultsDirectory } from "./data-directory.js";
// The definitions `kbalign eval` scores with (trec_eval's), from the built CLI: one implementation.
import { ndcgAt, recallAt } from "../../cli/dist/eval/retrieval-metrics.js";

const K1 = [0.6, 0.9, 1.2, 1.5];
const B = [0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1];
const TITLE_WEIGHT = [0, 0.1, 0.2, 0.3, 0.5];

interface Quality {
  ndcg10: number;
  recall100: number;
}

function evaluate(docs: readonly BenchDocument[], queries: readonly TestQuery[], parameters: Bm25Parameters): Quality {
  const index = new Bm25Index(parameters);
  for (const doc of docs) index.upsert(doc.title === "" ? { id: doc.id, text: doc.text } : doc);
  let ndcg10 = 0;
  let recall100 = 0;
  for (const query of queries) {
    const ranking = index.search(query.text, 100).map((hit) => hit.id);
    ndcg10 += ndcgAt(ranking, query.judgements, 10);
    recall100 += recallAt(ranking, query.judgements, 100);
  }
  return { ndcg10: ndcg10 / queries.length, recall100: recall100 / queries.length };
}

const data = dataDirectory(process.argv[2]);
const scifact = join(data, "scifact");
const cmrc = join(data, "cmrc2018");
const corpus = loadCorpus(scifact);
const train = loadTestQueries(scifact, "train");

const grid: { parameters: Bm25Parameters; train: Quality }[] = [];
for (const k1 of K1)
  for (const b of B)
    for (const titleWeight of TITLE_WEIGHT) {
      const parameters = { k1, b, titleWeight };
      grid.push({ parameters, train: evaluate(corpus, train, parameters) });
    }
grid.sort((x, y) => y.train.ndcg10 - x.train.ndcg10);
const best = grid[0]!;
const bestPlain = grid.find((row) => row.parameters.titleWeight === 0)!;
const anserini = { k1: 0.9, b: 0.4, titleWeight: 0 };

const test = loadTestQueries(scifact);
const cmrcCorpus = loadCorpus(cmrc);
const cmrcQueries = loadTestQueries(cmrc);
const reported = [
  ["Anserini's defaults, plain BM25", anserini],
  ["best plain BM25 on train", bestPlain.parameters],
  ["best on train (title field)", best.parameters],
  ["@kbalign/search defaults", DEFAULT_BM25_PARAMETERS],
] as const;
const rows = reported.map(([what, parameters]) => ({
  what,
  parameters,
  train: grid.find((row) => JSON.stringify(row.parameters) === JSON.stringify(parameters))?.train ?? evaluate(corpus, train, parameters),
  test: evaluate(corpus, test, parameters),
  cmrc: evaluate(cmrcCorpus, cmrcQueries, parameters),
}));

const f = (x: number): string => x.toFixed(4);
const p = ({ k1, b, titleWeight }: Bm25Parameters): string => `k1 ${k1}, b ${b}, title ${titleWeight}`;
const md = [
  `# BM25 parameters, tuned on SciFact train (${train.length} queries), ${grid.length} settings`,
  "",
  "| setting | parameters | SciFact train nDCG@10 | SciFact test nDCG@10 | SciFact test R@100 | CMRC 2018 nDCG@10 | CMRC 2018 R@100 |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) => `| ${r.what} | ${p(r.parameters)} | ${f(r.train.ndcg10)} | ${f(r.test.ndcg10)} | ${f(r.test.recall100)} | ${f(r.cmrc.ndcg10)} | ${f(r.cmrc.recall100)} |`),
  "",
  "The ten best settings on train:",
  "",
  "| parameters | train nDCG@10 | train R@100 |",
  "| --- | ---: | ---: |",
  ...grid.slice(0, 10).map((r) => `| ${p(r.parameters)} | ${f(r.train.ndcg10)} | ${f(r.train.recall100)} |`),
  "",
].join("\n");
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(join(resultsDirectory, "tune-bm25.json"), `${JSON.stringify({ grid, rows }, null, 2)}\n`);
writeFileSync(join(resultsDirectory, "tune-bm25.md"), md);
process.stdout.write(md);
