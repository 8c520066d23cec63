// How KBAlign's second recall should use the first answer: the question alone, the original plain
// concatenation, the draft's terms weighted below the question's, and that ranking fused with the
// question's own. Each variant runs exactly what the pipeline does (the extractive first answer over
// the first recall's top 10, then expandQuery and the retriever's index), in process.
// Outside the test suite.   npm run ablation [-- /path/to/data]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expandQuery, parseKBAlignConfig, type KBAlignConfigInput } from "../../shared/pipeline/dist/index.js";
import { Bm25Index } from "../../shared/search/dist/index.js";
import { defaultExtractiveLimits, extractiveChunks } from "../../shared/text/dist/index.js";
import { loadCorpus, loadTestQueries } from "./beir-dataset.js";
import { dataDirectory, resultsDirectory } from "./data-directory.js";
// The definitions `kbalign eval` scores with (trec_eval's), from the built CLI: one implementation.
import { ndcgAt, recallAt } from "../../cli/dist/eval/retrieval-metrics.js";

/** The first recall's depth for the draft, as `kbalign eval` asks (topn 10). */
const TOPN = 10;

const VARIANTS: readonly [string, KBAlignConfigInput | null][] = [
  ["question alone (the first recall)", null],
  ["concat: question + \\n + answer (original KBAlign)", { queryExpansion: "concat" }],
  ["weighted 0.05, 10 terms", { queryExpansion: "weighted", expansionWeight: 0.05, expansionMaxTerms: 10 }],
  ["weighted 0.1, 10 terms", { queryExpansion: "weighted", expansionWeight: 0.1, expansionMaxTerms: 10 }],
  ["weighted 0.3, 10 terms", { queryExpansion: "weighted", expansionWeight: 0.3, expansionMaxTerms: 10 }],
  ["weighted 0.3, every new term", { queryExpansion: "weighted", expansionWeight: 0.3, expansionMaxTerms: 200 }],
  ["fused, weighted 0.1, 10 terms", { queryExpansion: "fused", expansionWeight: 0.1, expansionMaxTerms: 10 }],
  ["fused, weighted 0.3, 10 terms (default)", {}],
  ["fused, weighted 0.5, 10 terms", { queryExpansion: "fused", expansionWeight: 0.5, expansionMaxTerms: 10 }],
  ["fused, weighted 0.3, every new term", { queryExpansion: "fused", expansionWeight: 0.3, expansionMaxTerms: 200 }],
  ["fused, weight 1, every new term", { queryExpansion: "fused", expansionWeight: 1, expansionMaxTerms: 200 }],
];

const SETS = [
  ["SciFact test", "scifact", "test"],
  ["SciFact train", "scifact", "train"],
  ["CMRC 2018", "cmrc2018", "test"],
] as const;

const data = dataDirectory(process.argv[2]);
const results: Record<string, Record<string, { ndcg10: number; recall100: number }>> = {};
for (const [label, dataset, split] of SETS) {
  const index = new Bm25Index();
  for (const doc of loadCorpus(join(data, dataset))) index.upsert(doc.title === "" ? { id: doc.id, text: doc.text } : doc);
  const queries = loadTestQueries(join(data, dataset), split);
  const sums = VARIANTS.map(() => ({ ndcg10: 0, recall100: 0 }));
  for (const query of queries) {
    const first = index.search(query.text, 100);
    const draft = extractiveChunks(query.text, first.slice(0, TOPN), defaultExtractiveLimits.first_answer).join("");
    VARIANTS.forEach(([, config], i) => {
      const expanded = config === null ? null : expandQuery(query.text, draft, parseKBAlignConfig(config));
      const ranking = (expanded === null ? first : index.search({ text: expanded.query, expansion: expanded.expansion }, 100)).map((hit) => hit.id);
      sums[i]!.ndcg10 += ndcgAt(ranking, query.judgements, 10);
      sums[i]!.recall100 += recallAt(ranking, query.judgements, 100);
    });
  }
  results[label] = Object.fromEntries(VARIANTS.map(([name], i) => [name, { ndcg10: sums[i]!.ndcg10 / queries.length, recall100: sums[i]!.recall100 / queries.length }]));
}

const f = (x: number): string => x.toFixed(4);
const labels = SETS.map(([label]) => label);
const md = [
  "# Query expansion: what the second recall ranks (nDCG@10 / R@100)",
  "",
  `| variant | ${labels.join(" | ")} |`,
  `| --- | ${labels.map(() => "---:").join(" | ")} |`,
  ...VARIANTS.map(([name]) => `| ${name} | ${labels.map((label) => `${f(results[label]![name]!.ndcg10)} / ${f(results[label]![name]!.recall100)}`).join(" | ")} |`),
  "",
].join("\n");
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(join(resultsDirectory, "expansion-ablation.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(resultsDirectory, "expansion-ablation.md"), md);
process.stdout.write(md);
