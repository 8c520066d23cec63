import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { Query } from "@kbalign/contracts";
import { CliError } from "../errors.js";

/**
 * A BEIR-layout evaluation set, as `kbalign eval` reads it:
 *   DIR/corpus.jsonl        {"_id", "title", "text"}  (read by the ingest code, only with --ingest)
 *   DIR/queries.jsonl       {"_id", "text"}
 *   DIR/qrels/<split>.tsv   `query-id <TAB> corpus-id <TAB> score`, a header line, LF or CRLF
 *   DIR/answers.jsonl       {"_id": query id, "answers": [strings]}  (optional)
 */

/** One query of the split that has at least one relevant document (grade > 0). */
export interface JudgedQuery {
  id: string;
  /** The question, trimmed as the query contract trims it. */
  text: string;
  /** Every judged document of the query and its grade, in qrels order (grades may be 0). */
  qrels: ReadonlyMap<string, number>;
}

export interface Dataset {
  /** Absolute path of the dataset directory. */
  dir: string;
  split: string;
  corpusFile: string;
  queriesFile: string;
  qrelsFile: string;
  /** Absent when the dataset has no answers.jsonl. */
  answersFile?: string;
  /** In order of each query's first qrels line. */
  judged: JudgedQuery[];
  /** Queries of the split whose judgements are all grade 0: nothing to find, so not evaluated. */
  unjudged: number;
  /** Reference answers by query id; absent without answers.jsonl. */
  answers?: ReadonlyMap<string, readonly string[]>;
}

/** A dataset file that is missing or malformed: the user's input is wrong, so a usage error. */
export class DatasetError extends CliError {
  override readonly name = "DatasetError";
  override readonly exitCode = 2;
}

/** How many bad lines an error lists before summing up the rest. */
const MAX_LISTED_PROBLEMS = 5;

const JsonlId = z.union([z.string().min(1), z.number().transform(String)]);
const QueryLine = z.object({ _id: JsonlId, text: Query });
const AnswersLine = z.object({ _id: JsonlId, answers: z.array(z.string()) });
const GRADE_PATTERN = /^-?\d+$/;

export interface LoadDatasetOptions {
  split: string;
  /** Check that corpus.jsonl exists (it is read only when ingesting). */
  requireCorpus: boolean;
}

/**
 * Reads and checks the queries, the split's qrels and the answers, naming every bad line as
 * `file:line: reason` (the first few, in one error) rather than skipping it: an evaluation over a
 * silently different set would mislead.
 */
export async function loadDataset(dirArg: string, options: LoadDatasetOptions): Promise<Dataset> {
  const dir = resolve(dirArg);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new DatasetError(`--dataset ${dirArg}: no such directory`);
  const corpusFile = join(dir, "corpus.jsonl");
  const queriesFile = join(dir, "queries.jsonl");
  const qrelsFile = join(dir, "qrels", `${options.split}.tsv`);
  const answersFile = join(dir, "answers.jsonl");
  if (options.requireCorpus && !(await isFile(corpusFile))) throw new DatasetError(`${corpusFile}: missing (--ingest loads the corpus from it)`);

  const queries = parseQueries(await readRequired(queriesFile, "a BEIR dataset needs queries.jsonl"), queriesFile);
  const qrelsText = await readRequired(qrelsFile, `no judgements for split '${options.split}': is --split right?`);
  const { judged, unjudged } = parseQrels(qrelsText, qrelsFile, queries);
  const answersText = (await isFile(answersFile)) ? await readRequired(answersFile, "answers.jsonl") : undefined;
  return {
    dir,
    split: options.split,
    corpusFile,
    queriesFile,
    qrelsFile,
    judged,
    unjudged,
    ...(answersText === undefined ? {} : { answersFile, answers: parseAnswers(answersText, answersFile) }),
  };
}

/** Query text by id. */
export function parseQueries(content: string, file: string): Map<string, string> {
  const queries = new Map<string, string>();
  const firstLine = new Map<string, number>();
  const problems = new Problems(file);
  forEachLine(content, (line, lineNumber) => {
    const parsed = parseJsonLine(line, QueryLine);
    if (!parsed.ok) return problems.add(lineNumber, parsed.reason);
    const earlier = firstLine.get(parsed.value._id);
    if (earlier !== undefined) return problems.add(lineNumber, `duplicate _id '${parsed.value._id}' (first on line ${earlier})`);
    firstLine.set(parsed.value._id, lineNumber);
    queries.set(parsed.value._id, parsed.value.text);
  });
  problems.throwIfAny();
  return queries;
}

/** The judged queries in qrels order; a query id or line that does not check out is an error. */
export function parseQrels(content: string, file: string, queries: ReadonlyMap<string, string>): { judged: JudgedQuery[]; unjudged: number } {
  const byQuery = new Map<string, Map<string, number>>();
  const problems = new Problems(file);
  forEachLine(content, (line, lineNumber) => {
    const fields = line.split("\t").map((field) => field.trim());
    // BEIR's header line (`query-id corpus-id score`); any first line whose score is not a number.
    if (lineNumber === 1 && fields[2] !== undefined && !GRADE_PATTERN.test(fields[2])) return;
    const [queryId, docId, grade] = fields;
    if (fields.length !== 3 || !queryId || !docId || grade === undefined) {
      return problems.add(lineNumber, `expected 3 tab-separated fields (query-id, corpus-id, score), got ${fields.length}`);
    }
    if (!GRADE_PATTERN.test(grade)) return problems.add(lineNumber, `score '${grade}' is not an integer`);
    if (!queries.has(queryId)) return problems.add(lineNumber, `query id '${queryId}' is not in queries.jsonl`);
    let qrels = byQuery.get(queryId);
    if (!qrels) byQuery.set(queryId, (qrels = new Map()));
    // A repeated (query, document) pair: the later line wins, as in pytrec_eval's dict.
    qrels.set(docId, Number(grade));
  });
  problems.throwIfAny();
  if (byQuery.size === 0) throw new DatasetError(`${file}: no judgements`);
  const judged: JudgedQuery[] = [];
  let unjudged = 0;
  for (const [id, qrels] of byQuery) {
    if (![...qrels.values()].some((grade) => grade > 0)) unjudged++;
    else judged.push({ id, text: queries.get(id) ?? "", qrels });
  }
  return { judged, unjudged };
}

/** Reference answers by query id. */
export function parseAnswers(content: string, file: string): Map<string, string[]> {
  const answers = new Map<string, string[]>();
  const problems = new Problems(file);
  forEachLine(content, (line, lineNumber) => {
    const parsed = parseJsonLine(line, AnswersLine);
    if (!parsed.ok) return problems.add(lineNumber, parsed.reason);
    answers.set(parsed.value._id, parsed.value.answers);
  });
  problems.throwIfAny();
  return answers;
}

type LineResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseJsonLine<T>(line: string, schema: z.ZodType<T>): LineResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join(".") || "record";
  return { ok: false, reason: `${field}: ${issue?.message ?? "invalid"}` };
}

/** Calls `each` for every non-blank line, 1-based, with a BOM and CR line endings removed. */
function forEachLine(content: string, each: (line: string, lineNumber: number) => void): void {
  content
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((raw, index) => {
      const line = raw.replace(/\r$/, "");
      if (line.trim() !== "") each(line, index + 1);
    });
}

class Problems {
  private readonly listed: string[] = [];
  private count = 0;
  constructor(private readonly file: string) {}

  add(lineNumber: number, reason: string): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(`${this.file}:${lineNumber}: ${reason}`);
  }

  throwIfAny(): void {
    if (this.count === 0) return;
    const more = this.count - this.listed.length;
    throw new DatasetError([...this.listed, ...(more > 0 ? [`… and ${more} more bad line(s)`] : [])].join("\n"));
  }
}

async function readRequired(file: string, hint: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = err instanceof Error && "code" in err ? err.code : undefined;
    if (code === "ENOENT") throw new DatasetError(`${file}: missing (${hint})`);
    throw new DatasetError(`${file}: cannot read it (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

const isFile = async (file: string): Promise<boolean> => (await stat(file).catch(() => undefined))?.isFile() ?? false;
