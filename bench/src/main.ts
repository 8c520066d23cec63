// Compares @kbalign/search with other JavaScript BM25 libraries on SciFact (English) and CMRC 2018
// (Chinese): quality, queries/s, build time and heap, one child process per engine and dataset.
//   node dist/main.js [data-directory]     (default: ../../shared/data from this folder's parent)
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { BEIR_FILES } from "./beir-dataset.js";
import { benchDirectory, dataDirectory, resultsDirectory } from "./data-directory.js";
import type { EngineResult } from "./engine-result.js";
import { DATASETS, type DatasetName } from "./engines/registry.js";
import { describeRun, kbalignDistSha256 } from "./environment.js";
import { markdownReport } from "./report.js";

const dataRoot = dataDirectory(process.argv[2]);
const datasets = Object.keys(DATASETS) as DatasetName[];

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const missing = datasets.flatMap((dataset) => BEIR_FILES.map((file) => join(dataset, file))).filter((file) => !existsSync(join(dataRoot, file)));
if (missing.length > 0) {
  fail(
    `the data directory ${dataRoot} lacks ${missing.join(", ")}.\n` +
      `Pass the folder that holds ${datasets.join("/ and ")}/ in BEIR layout: npm run bench -- /path/to/data`,
  );
}
if (!existsSync(join(benchDirectory, "..", "shared", "search", "dist", "index.js"))) {
  fail("shared/search is not built: run `npx turbo run build --filter=@kbalign/search` at the repository root first");
}

/** Runs one engine on one dataset in a fresh process and parses the JSON it prints. */
function runEngine(dataset: DatasetName, engine: string): Promise<EngineResult> {
  const script = join(benchDirectory, "dist", "run-engine.js");
  const child = spawn(process.execPath, ["--expose-gc", script, join(dataRoot, dataset), dataset, engine], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  return new Promise((resolveResult, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${engine} on ${dataset} exited with code ${code}`));
      else resolveResult(JSON.parse(stdout) as EngineResult);
    });
  });
}

const environment = describeRun(benchDirectory);
const command = `node ${relative(benchDirectory, process.argv[1]!)} ${dataRoot}`;
const results: EngineResult[] = [];
for (const dataset of datasets) {
  for (const engine of DATASETS[dataset]) {
    process.stderr.write(`${dataset}: ${engine.name}\n`);
    results.push(await runEngine(dataset, engine.name));
  }
}

environment.loadAverageAtEnd = loadavg();
// Others rebuild shared/search while they work on it: a run that straddles a rebuild says so.
environment.kbalign.changedDuringRun =
  kbalignDistSha256(benchDirectory) !== environment.kbalign.distSha256 || results.some((r) => r.kbalignBuild !== environment.kbalign.distSha256);
if (environment.kbalign.changedDuringRun) process.stderr.write("bench: WARNING shared/search or shared/text dist changed during the run\n");
const report = markdownReport(environment, command, results);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(join(resultsDirectory, "results.json"), `${JSON.stringify({ environment, command, results }, null, 2)}\n`);
writeFileSync(join(resultsDirectory, "results.md"), report);
process.stdout.write(`${report}\n`);
process.stderr.write(`written: ${relative(process.cwd(), join(resultsDirectory, "results.json"))}, ${relative(process.cwd(), join(resultsDirectory, "results.md"))}\n`);
