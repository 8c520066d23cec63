import type { EngineResult } from "./engine-result.js";
import type { RunEnvironment } from "./environment.js";
import { MIN_ROUND_MS, ROUNDS } from "./throughput.js";

const MIB = 1024 * 1024;
/** nDCG@10 is compared at the precision it is reported with: "equal" means equal to 4 decimals. */
const NDCG_DECIMALS = 4;

const fixed = (value: number, decimals: number): string => value.toFixed(decimals);
const rate = (value: number): string => Math.round(value).toLocaleString("en-US");
const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
const loads = (averages: readonly number[]): string => averages.map((load) => load.toFixed(2)).join(" / ");

function resultsTable(results: readonly EngineResult[]): string[] {
  const rows = results.map((r) =>
    [
      r.engine,
      fixed(r.ndcgAt10, NDCG_DECIMALS),
      fixed(r.recallAt100, 4),
      rate(r.top10.queriesPerSecond),
      rate(r.top100.queriesPerSecond),
      rate(r.firstPassQueriesPerSecond),
      fixed(r.buildMsMedian, 0),
      fixed(r.buildMs[0]!, 0),
      mib(r.memory.heapAfterBuild - r.memory.heapBeforeCorpus),
      mib(r.memory.rssAfterBuild),
    ].join(" | "),
  );
  return [
    "| engine | nDCG@10 | R@100 | q/s (top 10) | q/s (top 100) | q/s (1st pass) | build ms | 1st build ms | heap MiB | RSS MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((row) => `| ${row} |`),
  ];
}

/** The same runs in CPU time: what each engine costs, whatever else the machine was doing. */
function cpuTable(results: readonly EngineResult[]): string[] {
  return [
    "| engine | q/s per CPU-s (top 10) | q/s per CPU-s (top 100) | build CPU ms |",
    "| --- | ---: | ---: | ---: |",
    ...results.map(
      (r) => `| ${r.engine} | ${rate(r.top10.queriesPerCpuSecond)} | ${rate(r.top100.queriesPerCpuSecond)} | ${fixed(r.buildCpuMsMedian, 0)} |`,
    ),
  ];
}

/** The issue's bar: kbalign must be faster than each library at an nDCG@10 at least as good. */
function verdictTable(results: readonly EngineResult[]): string[] {
  const ours = results.find((r) => r.engine === "kbalign");
  if (!ours) return [];
  const ndcg = (r: EngineResult): number => Number(fixed(r.ndcgAt10, NDCG_DECIMALS));
  const rows = results
    .filter((r) => r !== ours)
    .map((other) => {
      const speed10 = ours.top10.queriesPerSecond / other.top10.queriesPerSecond;
      const speed100 = ours.top100.queriesPerSecond / other.top100.queriesPerSecond;
      const cpu10 = ours.top10.queriesPerCpuSecond / other.top10.queriesPerCpuSecond;
      const cpu100 = ours.top100.queriesPerCpuSecond / other.top100.queriesPerCpuSecond;
      const shortfalls = [
        ...(ndcg(ours) < ndcg(other) ? ["lower nDCG@10"] : []),
        ...(speed10 <= 1 ? ["slower at top 10"] : []),
        ...(speed100 <= 1 ? ["slower at top 100"] : []),
      ];
      const verdict = shortfalls.length === 0 ? "yes" : `no: ${shortfalls.join(", ")}`;
      const delta = ndcg(ours) - ndcg(other);
      const ratios = [speed10, speed100, cpu10, cpu100].map((ratio) => `${fixed(ratio, 2)}×`).join(" | ");
      return `| ${other.engine} | ${delta >= 0 ? "+" : ""}${fixed(delta, NDCG_DECIMALS)} | ${ratios} | ${verdict} |`;
    });
  return [
    "| kbalign against | ΔnDCG@10 (kbalign − it) | kbalign q/s ÷ its (top 10) | (top 100) | per CPU-s (top 10) | per CPU-s (top 100) | faster at equal or better nDCG@10? |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows,
  ];
}

function datasetSection(dataset: string, results: readonly EngineResult[]): string[] {
  const first = results[0]!;
  const corpus = first.memory.heapAfterCorpus - first.memory.heapBeforeCorpus;
  return [
    `## ${dataset}: ${first.documents.toLocaleString("en-US")} documents, ${first.queries.toLocaleString("en-US")} test queries`,
    "",
    ...resultsTable(results),
    "",
    `heap MiB includes the parsed corpus every engine's process holds (${mib(corpus)} MiB of it here); engines that copy the text pay for it twice.`,
    "",
    ...cpuTable(results),
    "",
    ...verdictTable(results),
    "",
    ...results.map((r) => `- **${r.engine}**: ${r.setup}`),
    "",
  ];
}

function rebuiltFor(startBuild: string, results: readonly EngineResult[]): string {
  const others = results.filter((r) => r.kbalignBuild !== startBuild).map((r) => `${r.dataset} / ${r.engine} (${r.kbalignBuild.slice(0, 16)}…)`);
  return others.length > 0 ? others.join(", ") : "none (the rebuild came after the last engine started)";
}

export function markdownReport(environment: RunEnvironment, command: string, results: readonly EngineResult[]): string {
  const datasets = [...new Set(results.map((r) => r.dataset))];
  const { kbalign } = environment;
  return [
    "# BM25 retrievers compared",
    "",
    `Run ${environment.date} with \`${command}\`.`,
    "",
    `- machine: ${environment.cpuModel}, ${environment.cpuCount} cores (shared with other work), ${mib(environment.totalMemoryBytes)} MiB; load average (1 / 5 / 15 min) at start ${loads(environment.loadAverage)}, at end ${loads(environment.loadAverageAtEnd ?? [])}`,
    `- node ${environment.node}; ${Object.entries(environment.libraries).map(([name, version]) => `${name} ${version}`).join(", ")}`,
    `- @kbalign/search ${kbalign.version} at ${kbalign.commit.slice(0, 12)}${kbalign.uncommitted.length > 0 ? ` with uncommitted changes (${kbalign.uncommitted.join("; ")})` : ""}; built JavaScript (search + text) sha256 ${kbalign.distSha256.slice(0, 16)}…${kbalign.changedDuringRun ? ` — **WARNING: rebuilt by someone during this run**; engines that loaded another build: ${rebuiltFor(kbalign.distSha256, results)}` : ""}`,
    "",
    "Method: each engine runs on each dataset in a child process of its own (`node --expose-gc`), one after the other.",
    "Every engine retrieves its top 100 for each test query: nDCG@10 (linear gain, log2 discount, ideal from the qrels, as pytrec_eval's ndcg_cut_10) and Recall@100, averaged over all test queries.",
    `q/s: single process, one query at a time; a warm-up pass, then ${ROUNDS} rounds each repeating all test queries for at least ${MIN_ROUND_MS / 1_000} s; the median round. 1st pass: the quality pass, every query seen for the first time (cold JIT and caches).`,
    "build ms: median of 3 builds over the same parsed corpus (1st build: the first one alone, cold JIT and tokenizer caches).",
    "heap MiB: heapUsed after the last build minus heapUsed before the corpus was loaded, each after a forced full GC; RSS after the last build.",
    "CPU figures: the same rounds and builds divided by the process's CPU time (user + system) instead of wall-clock time; on a shared machine they move less with the load. The verdict goes by wall-clock q/s, as asked.",
    "",
    ...datasets.flatMap((dataset) => datasetSection(dataset, results.filter((r) => r.dataset === dataset))),
  ].join("\n");
}
