import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchDocument } from "./engines/engine.js";

/** Graded judgements of one query: document id → relevance (> 0 relevant). */
export type Judgements = ReadonlyMap<string, number>;

export interface TestQuery {
  readonly id: string;
  readonly text: string;
  readonly judgements: Judgements;
}

/** The files every dataset folder must hold, in BEIR's layout. */
export const BEIR_FILES = ["corpus.jsonl", "queries.jsonl", join("qrels", "test.tsv")] as const;

interface CorpusLine {
  _id: string;
  title?: string;
  text: string;
}

interface QueryLine {
  _id: string;
  text: string;
}

function jsonLines<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

export function loadCorpus(directory: string): BenchDocument[] {
  return jsonLines<CorpusLine>(join(directory, "corpus.jsonl")).map(({ _id, title, text }) => ({ id: _id, title: title ?? "", text }));
}

/**
 * The judged queries of a split (default test): every query id in qrels/<split>.tsv, in file order,
 * with its judgements. BEIR's qrels keep CRLF line endings, hence the split on an optional `\r`.
 */
export function loadTestQueries(directory: string, split = "test"): TestQuery[] {
  const texts = new Map(jsonLines<QueryLine>(join(directory, "queries.jsonl")).map(({ _id, text }) => [_id, text]));
  const judged = new Map<string, Map<string, number>>();
  const [header, ...rows] = readFileSync(join(directory, "qrels", `${split}.tsv`), "utf8").split(/\r?\n/);
  if (header?.split("\t")[0] !== "query-id") throw new Error(`${directory}/qrels/${split}.tsv: expected the header 'query-id\tcorpus-id\tscore'`);
  for (const row of rows) {
    if (row === "") continue;
    const [queryId, docId, score] = row.split("\t");
    if (queryId === undefined || docId === undefined || score === undefined) throw new Error(`${directory}/qrels/${split}.tsv: bad row '${row}'`);
    let judgements = judged.get(queryId);
    if (!judgements) judged.set(queryId, (judgements = new Map()));
    judgements.set(docId, Number(score));
  }
  return [...judged].map(([id, judgements]) => {
    const text = texts.get(id);
    if (text === undefined) throw new Error(`${directory}: query ${id} is judged in qrels/${split}.tsv but missing from queries.jsonl`);
    return { id, text, judgements };
  });
}

/**
 * A dataset as the pipeline library takes it: its documents (no empty title) and the text of
 * every question of queries.jsonl, in file order.
 */
export function loadPipelineInputs(directory: string): { docs: { id: string; text: string; title?: string }[]; questions: string[] } {
  const docs = loadCorpus(directory).map((d) => (d.title === "" ? { id: d.id, text: d.text } : d));
  const questions = readFileSync(join(directory, "queries.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { text: string }).text);
  return { docs, questions };
}
