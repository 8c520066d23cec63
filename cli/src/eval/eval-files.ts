import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { EvalReport } from "./eval-report.js";
import type { QuestionResult } from "./evaluate-question.js";

export interface EvalFiles {
  json: string;
  markdown: string;
  questions: string;
  svg: string;
}

export interface EvalOutputs {
  report: EvalReport;
  results: readonly QuestionResult[];
  markdown: string;
  svg: string;
}

/**
 * Writes `<label>.json` (the report), `<label>.md` (its tables), `<label>.questions.jsonl` (one
 * line per question, for error analysis) and `<label>.svg` (the chart) into `outDir`, created if
 * missing. A run with the same label replaces the files of the last one.
 */
export async function writeEvalFiles(outputs: EvalOutputs, outDir: string): Promise<EvalFiles> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const base = join(dir, labelFileName(outputs.report.label));
  const files: EvalFiles = { json: `${base}.json`, markdown: `${base}.md`, questions: `${base}.questions.jsonl`, svg: `${base}.svg` };
  await writeFile(files.json, `${JSON.stringify(outputs.report, null, 2)}\n`);
  await writeFile(files.markdown, `${outputs.markdown}\n`);
  await writeFile(files.questions, outputs.results.map((result) => `${JSON.stringify(questionLine(result))}\n`).join(""));
  await writeFile(files.svg, outputs.svg);
  return files;
}

/** One question as written to the JSONL file: what to look at when a question scores badly. */
export function questionLine(result: QuestionResult) {
  return {
    id: result.id,
    question: result.question,
    outcome: result.outcome,
    ...(result.code === undefined ? {} : { code: result.code, message: result.message }),
    degraded: result.degraded,
    relevant: result.relevant,
    recall: result.rankings.recall,
    queryExpansionRecall: result.rankings.queryExpansionRecall,
    expansionFromFirstRecall: result.expansionFromFirstRecall,
    ndcg10: { recall: result.scores.recall.ndcg10, queryExpansionRecall: result.scores.queryExpansionRecall.ndcg10 },
    scores: result.scores,
    ...(Object.keys(result.deepFailures).length === 0 ? {} : { deepRankingFailures: result.deepFailures }),
    ...(result.deepMismatches.length === 0 ? {} : { deepRankingMismatches: result.deepMismatches }),
    firstAnswer: result.firstAnswer ?? null,
    answer: result.answer,
    answerChars: result.answerChars,
    ...(result.references === undefined ? {} : { references: result.references }),
    ...(result.answerScore === undefined ? {} : { hits: result.answerScore.hits, f1: result.answerScore.f1 }),
    latencyMs: result.latencyMs,
  };
}

/**
 * A label as a file name: letters (any script), digits, '.', '_' and '-' kept, anything else '-'.
 * Never empty, never hidden (no leading dot).
 */
export const labelFileName = (label: string): string =>
  label
    .replace(/[^\p{L}\p{N}._-]+/gu, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 100) || "eval";
