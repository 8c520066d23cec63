// One engine on one dataset, in a process of its own so that its heap figure is its own:
//   node --expose-gc dist/run-engine.js <dataset-directory> <dataset> <engine>
// Prints one EngineResult as JSON on stdout; progress goes to stderr.
import { fileURLToPath } from "node:url";
import { loadCorpus, loadTestQueries } from "./beir-dataset.js";
import type { EngineResult, MemoryFigures } from "./engine-result.js";
import type { Searcher } from "./engines/engine.js";
import { engineOn, isDatasetName } from "./engines/registry.js";
import { kbalignDistSha256 } from "./environment.js";
// The definitions `kbalign eval` scores with (trec_eval's), from the built CLI: one implementation.
import { ndcgAt, recallAt } from "../../cli/dist/eval/retrieval-metrics.js";
import { measureThroughput, median } from "./throughput.js";

/** Index builds timed; the median is reported. */
const BUILDS = 3;
/** Depth every engine retrieves for the quality figures. */
const DEPTH = 100;

const [directory, datasetName, engineName] = process.argv.slice(2);
if (directory === undefined || datasetName === undefined || engineName === undefined || !isDatasetName(datasetName)) {
  throw new Error("usage: node --expose-gc dist/run-engine.js <dataset-directory> <scifact|cmrc2018> <engine>");
}
const engine = engineOn(datasetName, engineName);
if (!engine) throw new Error(`no engine '${engineName}' for ${datasetName}`);
const { gc } = globalThis;
if (!gc) throw new Error("run-engine needs node --expose-gc for its heap figures");

function settled(): NodeJS.MemoryUsage {
  gc!();
  gc!();
  return process.memoryUsage();
}

const log = (message: string): void => void process.stderr.write(`  [${datasetName} / ${engine.name}] ${message}\n`);

// Which build of @kbalign/search and @kbalign/text this process loaded (others rebuild them as they work).
const kbalignBuild = kbalignDistSha256(fileURLToPath(new URL("..", import.meta.url)));

// The queries belong to the harness, not to the index: loaded before the baseline.
const queries = loadTestQueries(directory);
const queryTexts = queries.map((query) => query.text);
const heapBeforeCorpus = settled().heapUsed;
const docs = loadCorpus(directory);
const heapAfterCorpus = settled().heapUsed;

const buildMs: number[] = [];
const buildCpuMs: number[] = [];
let searcher: Searcher | undefined;
for (let build = 0; build < BUILDS; build++) {
  searcher = undefined;
  settled();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  searcher = await engine.build(docs);
  buildMs.push(performance.now() - start);
  const cpu = process.cpuUsage(cpuStart);
  buildCpuMs.push((cpu.user + cpu.system) / 1_000);
}
const afterBuild = settled();
const memory: MemoryFigures = { heapBeforeCorpus, heapAfterCorpus, heapAfterBuild: afterBuild.heapUsed, rssAfterBuild: afterBuild.rss };
log(`built ${docs.length} documents in ${buildMs.map((ms) => ms.toFixed(0)).join(", ")} ms`);

let ndcgSum = 0;
let recallSum = 0;
const qualityStart = performance.now();
for (const query of queries) {
  const result = searcher!.search(query.text, DEPTH);
  const ranking = result instanceof Promise ? await result : result;
  ndcgSum += ndcgAt(ranking, query.judgements, 10);
  recallSum += recallAt(ranking, query.judgements, DEPTH);
}
const firstPassQueriesPerSecond = queries.length / ((performance.now() - qualityStart) / 1_000);
log(`nDCG@10 ${(ndcgSum / queries.length).toFixed(4)}; timing searches`);

const top10 = await measureThroughput(searcher!, queryTexts, 10);
const top100 = await measureThroughput(searcher!, queryTexts, DEPTH);

const result: EngineResult = {
  dataset: datasetName,
  engine: engine.name,
  setup: engine.setup,
  documents: docs.length,
  queries: queries.length,
  ndcgAt10: ndcgSum / queries.length,
  recallAt100: recallSum / queries.length,
  firstPassQueriesPerSecond,
  top10,
  top100,
  buildMs,
  buildMsMedian: median(buildMs),
  buildCpuMs,
  buildCpuMsMedian: median(buildCpuMs),
  memory,
  kbalignBuild,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
