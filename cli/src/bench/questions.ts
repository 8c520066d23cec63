import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { z } from "zod";
import { Query } from "@kbalign/contracts";
import { DEMO_QUESTIONS_FILE, loadDemoQuestions } from "../demo.js";
import { CliError } from "../errors.js";

/** One question the bench asks; `id` names it in the raw samples (BEIR `_id`, or `line N`). */
export interface BenchQuestion {
  id: string;
  text: string;
}

export interface QuestionSet {
  /** Where the questions came from, as shown in the report. */
  source: string;
  questions: BenchQuestion[];
}

/** A queries file the bench cannot use: the user's input is wrong, so it is a usage error. */
export class QuestionsFileError extends CliError {
  override readonly name = "QuestionsFileError";
  override readonly exitCode = 2;
}

/** How many bad lines the error lists before summing up the rest. */
const MAX_LISTED_PROBLEMS = 5;

/** BEIR queries.jsonl: `{"_id", "text", "metadata"}`; extra keys are ignored. */
const BeirQuery = z.object({ _id: z.union([z.string().min(1), z.number().transform(String)]), text: Query });

/** The questions from `file` (BEIR `.jsonl` or `.txt`, one per line), or the demo's without one. */
export async function loadQuestions(file?: string): Promise<QuestionSet> {
  if (file === undefined) {
    const demo = await loadDemoQuestions();
    return { source: DEMO_QUESTIONS_FILE, questions: demo.map((q) => ({ id: `${q.language}:${q.expect}`, text: q.question })) };
  }
  return readQuestionsFile(file);
}

/**
 * Reads every question of a queries file. All bad lines are named (`file:line: reason`) in one
 * error rather than skipped: a benchmark over a silently different question set would mislead.
 */
export async function readQuestionsFile(file: string): Promise<QuestionSet> {
  const kind = extname(file).toLowerCase();
  if (kind !== ".jsonl" && kind !== ".txt") {
    throw new QuestionsFileError(`--queries ${file}: expected a BEIR queries .jsonl file or a .txt file with one question per line`);
  }
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (err) {
    throw new QuestionsFileError(`--queries ${file}: cannot read it (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const questions: BenchQuestion[] = [];
  const problems: string[] = [];
  content
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((line, index) => {
      if (line.trim() === "") return;
      const parsed = kind === ".jsonl" ? parseBeirLine(line) : parseTextLine(line, index + 1);
      if (typeof parsed === "string") problems.push(`${file}:${index + 1}: ${parsed}`);
      else questions.push(parsed);
    });
  if (problems.length > 0) {
    const more = problems.length > MAX_LISTED_PROBLEMS ? [`… and ${problems.length - MAX_LISTED_PROBLEMS} more bad line(s)`] : [];
    throw new QuestionsFileError(
      [`--queries ${file}: ${problems.length} bad line(s):`, ...problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${p}`), ...more.map((m) => `  ${m}`)].join("\n"),
    );
  }
  if (questions.length === 0) throw new QuestionsFileError(`--queries ${file}: no questions in it`);
  return { source: file, questions };
}

function parseBeirLine(line: string): BenchQuestion | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  const parsed = BeirQuery.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join(".") ?? "";
    return `${field === "" ? "record" : `'${field}'`}: ${issue?.message ?? "invalid"}`;
  }
  return { id: parsed.data._id, text: parsed.data.text };
}

function parseTextLine(line: string, lineNumber: number): BenchQuestion | string {
  const parsed = Query.safeParse(line);
  return parsed.success ? { id: `line ${lineNumber}`, text: parsed.data } : (parsed.error.issues[0]?.message ?? "invalid question");
}
