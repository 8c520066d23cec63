// Whether a change to the in-process library changed any answer: runs every SciFact question
// (queries.jsonl, all 1,109) through KBAlign over the in-process retriever and generator, and prints
// a sha256 over every event's state, value, documents (id, title, score), code and degradations, in
// order. Run it before and after a change: equal digests mean equal rankings, scores and answers.
// Request ids and timings are left out (they differ run to run). The questions are asked twice, the
// second pass hitting every memo, so a memo that answers differently from a fresh computation shows.
//   npm run equivalence -- [--data DIR] [--pipeline DIR] [--dump FILE]
//   (--pipeline: another build's shared/pipeline/dist, to digest a baseline from this same script)
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadPipelineInputs } from "./beir-dataset.js";
import { benchDirectory, dataDirectory } from "./data-directory.js";

const { values: flags } = parseArgs({ options: { data: { type: "string" }, pipeline: { type: "string" }, dump: { type: "string" } } });
const pipelineDir = resolve(flags.pipeline ?? join(benchDirectory, "..", "shared", "pipeline", "dist"));
const lib = (await import(pathToFileURL(join(pipelineDir, "index.js")).href)) as typeof import("../../shared/pipeline/dist/index.js");

const scifact = join(dataDirectory(flags.data), "scifact");
const { docs, questions } = loadPipelineInputs(scifact);
const pipeline = new lib.KBAlign(lib.createInProcessRetriever({ scifact: docs }), lib.createInProcessGenerator());

const hash = createHash("sha256");
const lines: string[] = [];
let events = 0;
for (const pass of [1, 2]) {
  for (const [i, query] of questions.entries()) {
    for await (const event of pipeline.run({ query, collection: "scifact", topn: 5 })) {
      const e = event as unknown as Record<string, unknown>;
      // Scores as exact bit patterns (toString round-trips a double): a last-bit change shows.
      const line = JSON.stringify([pass, i, e.seq, e.state, e.value, e.docs, e.code, e.degraded]);
      hash.update(line).update("\n");
      if (flags.dump && pass === 1) lines.push(line);
      events++;
    }
  }
}
if (flags.dump) writeFileSync(flags.dump, `${lines.join("\n")}\n`);
console.log(`${questions.length} questions x 2 passes, ${events} events, pipeline ${pipelineDir}`);
console.log(`sha256 ${hash.digest("hex")}`);
