// CPU ms per in-process query, comparing builds side by side in one process: loads KBAlign from each
// --pipeline (a build's shared/pipeline/dist; default this checkout's), builds it over SciFact, asks
// every question once per build to warm up (JIT, memos), then asks blocks of --block questions,
// alternating the builds (A, B, A, B, ...) for --rounds rounds, and prints process CPU (user + system,
// GC threads included) per query for each build: the median over blocks, and its ratio to the first.
// Alternating in one process keeps a busy machine's swings out of the comparison as far as possible.
//   node dist/cpu-per-query.js [--pipeline DIR]... [--block 400] [--rounds 10] [--data DIR]
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadPipelineInputs } from "./beir-dataset.js";
import { benchDirectory, dataDirectory } from "./data-directory.js";

const { values: flags } = parseArgs({
  options: {
    data: { type: "string" },
    pipeline: { type: "string", multiple: true },
    block: { type: "string", default: "400" },
    rounds: { type: "string", default: "10" },
  },
});
const builds = (flags.pipeline ?? [join(benchDirectory, "..", "shared", "pipeline", "dist")]).map((dir) => resolve(dir));
const scifact = join(dataDirectory(flags.data), "scifact");
const { docs, questions } = loadPipelineInputs(scifact);

type Lib = typeof import("../../shared/pipeline/dist/index.js");
const variants = [];
for (const dir of builds) {
  const lib = (await import(pathToFileURL(join(dir, "index.js")).href)) as Lib;
  const pipeline = new lib.KBAlign(lib.createInProcessRetriever({ scifact: docs }), lib.createInProcessGenerator());
  const ask = async (query: string) => {
    for await (const _event of pipeline.run({ query, collection: "scifact", topn: 5 }));
  };
  for (const q of questions) await ask(q);
  variants.push({ dir, ask, next: 0, blocks: [] as number[] });
}

const block = Number(flags.block);
for (let round = 0; round < Number(flags.rounds); round++) {
  for (const variant of variants) {
    const start = process.cpuUsage();
    for (let i = 0; i < block; i++) await variant.ask(questions[variant.next++ % questions.length]!);
    const cpu = process.cpuUsage(start);
    variant.blocks.push((cpu.user + cpu.system) / 1000 / block);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const base = median(variants[0]!.blocks);
for (const { dir, blocks } of variants) {
  const m = median(blocks);
  console.log(
    JSON.stringify({
      pipeline: dir,
      blocks: blocks.length,
      queriesPerBlock: block,
      medianCpuMsPerQuery: Number(m.toFixed(4)),
      minCpuMsPerQuery: Number(Math.min(...blocks).toFixed(4)),
      queriesPerCpuSecond: Math.round(1000 / m),
      ratioToFirst: Number((m / base).toFixed(3)),
    }),
  );
}
