// Where an in-process query's CPU time goes: builds the pipeline over SciFact first (not profiled),
// then profiles a fixed number of queries one at a time with the V8 CPU profiler and prints self time
// per function and per file. One at a time, so the figure is work, not queueing.
// --warmup: questions asked before profiling (default 100; 300 asks each of SciFact's 300 test
// questions once, so every document they recall has its sentence analysis remembered: the steady state).
//   npm run profile -- [--queries N] [--warmup N] [--data DIR] [--out FILE.cpuprofile]
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { KBAlign, createInProcessGenerator, createInProcessRetriever } from "../../shared/pipeline/dist/index.js";
import { loadCorpus, loadTestQueries } from "./beir-dataset.js";
import { dataDirectory } from "./data-directory.js";

const { values: flags } = parseArgs({
  options: { queries: { type: "string", default: "600" }, warmup: { type: "string", default: "100" }, data: { type: "string" }, out: { type: "string" } },
});
const COUNT = Number(flags.queries);
const scifact = join(dataDirectory(flags.data), "scifact");
const docs = loadCorpus(scifact).map((d) => (d.title === "" ? { id: d.id, text: d.text } : d));
const questions = loadTestQueries(scifact).map((q) => q.text);
const pipeline = new KBAlign(createInProcessRetriever({ scifact: docs }), createInProcessGenerator());
const ask = async (query: string) => {
  for await (const _event of pipeline.run({ query, collection: "scifact", topn: 5 }));
};
for (let i = 0; i < Number(flags.warmup); i++) await ask(questions[i % questions.length] ?? ""); // warm-up: JIT, caches

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const cpuStart = process.cpuUsage();
for (let i = 0; i < COUNT; i++) await ask(questions[i % questions.length] ?? "");
const cpu = process.cpuUsage(cpuStart);
const { profile } = (await session.post("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
session.disconnect();
if (flags.out) writeFileSync(flags.out, JSON.stringify(profile));

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const group = (key: (n: ProfileNode) => string) => {
  const totals = new Map<string, number>();
  for (const node of profile.nodes) totals.set(key(node), (totals.get(key(node)) ?? 0) + (selfUs.get(node.id) ?? 0));
  totals.delete("(idle)");
  return totals;
};
const file = (n: ProfileNode) => n.callFrame.url.replace(/^.*\/(shared\/[^/]+|node_modules\/[^/]+)\/.*?([^/]+)$/, "$1/$2") || n.callFrame.functionName;
const byFunction = group((n) => `${n.callFrame.functionName || "(anonymous)"} ${file(n)}`.trim());
const byFile = group(file);
const total = [...byFunction.values()].reduce((a, b) => a + b, 0);
const cpuMsPerQuery = (cpu.user + cpu.system) / 1000 / COUNT;
// Samples are taken on wall-clock ticks, so on a busy machine their absolute time includes waits
// for a core; the shares hold, and share × CPU time is each part's CPU cost per query.
const top = (totals: Map<string, number>, k: number) =>
  [...totals].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => `| ${name.replace(/\|/g, "\\|")} | ${((us / total) * 100).toFixed(1)}% | ${((us / total) * cpuMsPerQuery).toFixed(3)} |`);
console.log(`${COUNT} queries one at a time, in process, SciFact, topn 5: ${cpuMsPerQuery.toFixed(2)} CPU ms per query (process CPU, GC threads included)\n`);
console.log(["| function (self time) | share | CPU ms per query |", "| --- | ---: | ---: |", ...top(byFunction, 15)].join("\n"));
console.log(`\n${["| file (self time) | share | CPU ms per query |", "| --- | ---: | ---: |", ...top(byFile, 10)].join("\n")}`);
