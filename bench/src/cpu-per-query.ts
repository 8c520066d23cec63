// CPU ms per in-process query, for comparing builds side by side: builds KBAlign over SciFact from
// the pipeline at --pipeline (default this checkout's), asks every question once to warm up (JIT,
// memos), then asks them one at a time for --seconds and prints process CPU (user + system, GC
// threads included) per query. Run two builds alternated (A, B, A, B, ...) and compare medians.
//   node dist/cpu-per-query.js [--pipeline DIR] [--seconds 5] [--data DIR]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadCorpus } from "./beir-dataset.js";
import { benchDirectory, dataDirectory } from "./data-directory.js";

const { values: flags } = parseArgs({ options: { data: { type: "string" }, pipeline: { type: "string" }, seconds: { type: "string", default: "5" } } });
const pipelineDir = resolve(flags.pipeline ?? join(benchDirectory, "..", "shared", "pipeline", "dist"));
const lib = (await import(pathToFileURL(join(pipelineDir, "index.js")).href)) as typeof import("../../shared/pipeline/dist/index.js");
const scifact = join(dataDirectory(flags.data), "scifact");
const docs = loadCorpus(scifact).map((d) => (d.title === "" ? { id: d.id, text: d.text } : d));
const questions = readFileSync(join(scifact, "queries.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => (JSON.parse(line) as { text: string }).text);
const pipeline = new lib.KBAlign(lib.createInProcessRetriever({ scifact: docs }), lib.createInProcessGenerator());
const ask = async (query: string) => {
  for await (const _event of pipeline.run({ query, collection: "scifact", topn: 5 }));
};
for (const q of questions) await ask(q);

const until = performance.now() + Number(flags.seconds) * 1000;
const cpuStart = process.cpuUsage();
let count = 0;
while (performance.now() < until) await ask(questions[count++ % questions.length]!);
const cpu = process.cpuUsage(cpuStart);
const ms = (cpu.user + cpu.system) / 1000 / count;
console.log(JSON.stringify({ pipeline: pipelineDir, queries: count, cpuMsPerQuery: Number(ms.toFixed(4)), queriesPerCpuSecond: Math.round(1000 / ms) }));
