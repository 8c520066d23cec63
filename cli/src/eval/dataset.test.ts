import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatasetError, loadDataset, parseQrels } from "./dataset.js";

const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";

describe("loadDataset (BEIR layout)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-dataset-"));
    await mkdir(join(dir, "qrels"));
    await writeFile(join(dir, "corpus.jsonl"), jsonl([{ _id: "d1", title: "", text: "x" }]));
    await writeFile(
      join(dir, "queries.jsonl"),
      jsonl([
        { _id: "q1", text: "  What causes tides?  ", metadata: {} },
        { _id: 2, text: "长江有多长？" },
        { _id: "q3", text: "Unjudged question" },
        { _id: "q4", text: "Only judged irrelevant" },
      ]),
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = (split = "test", requireCorpus = false) => loadDataset(dir, { split, requireCorpus });
  const failure = async (promise: Promise<unknown>): Promise<DatasetError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof DatasetError)) throw new Error(`expected a DatasetError, got ${String(err)}`);
    return err;
  };

  it("reads CRLF qrels with their header, keeps qrels order, trims questions, and skips all-zero queries", async () => {
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\r\n2\td7\t1\r\nq1\td1\t2\r\nq1\td2\t0\r\nq4\td9\t0\r\n\r\n");
    const dataset = await load();
    expect(dataset.judged.map((q) => q.id)).toEqual(["2", "q1"]);
    expect(dataset.judged[1]?.text).toBe("What causes tides?");
    expect([...(dataset.judged[1]?.qrels ?? [])]).toEqual([
      ["d1", 2],
      ["d2", 0],
    ]);
    expect(dataset.unjudged).toBe(1); // q4
    expect(dataset.answers).toBeUndefined();
    expect(dataset.qrelsFile).toBe(join(dir, "qrels", "test.tsv"));
  });

  it("reads answers.jsonl when it is there", async () => {
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    await writeFile(join(dir, "answers.jsonl"), jsonl([{ _id: "q1", answers: ["the Moon", "Moon"] }]));
    expect((await load()).answers?.get("q1")).toEqual(["the Moon", "Moon"]);
  });

  it("names the file and line of a bad qrels line, and of a query id missing from queries.jsonl", async () => {
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\nq1 d2 1\r\nq1\td3\thigh\r\nq9\td1\t1\r\n");
    const err = await failure(load());
    const file = join(dir, "qrels", "test.tsv");
    expect(err.message.split("\n")).toEqual([
      `${file}:3: expected 3 tab-separated fields (query-id, corpus-id, score), got 1`,
      `${file}:4: score 'high' is not an integer`,
      `${file}:5: query id 'q9' is not in queries.jsonl`,
    ]);
    expect(err.exitCode).toBe(2);
  });

  it("names the line of a bad queries.jsonl record", async () => {
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    await writeFile(join(dir, "queries.jsonl"), `${JSON.stringify({ _id: "q1", text: "fine" })}\n{"_id": "q2", "text": \n${JSON.stringify({ _id: "q3", text: "" })}\n`);
    const err = await failure(load());
    expect(err.message).toMatch(new RegExp(`^${escape(join(dir, "queries.jsonl"))}:2: not valid JSON`));
    expect(err.message).toContain(`${join(dir, "queries.jsonl")}:3: text: must not be empty`);
  });

  it("names a bad answers.jsonl line", async () => {
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    await writeFile(join(dir, "answers.jsonl"), jsonl([{ _id: "q1", answers: "the Moon" }]));
    expect((await failure(load())).message).toMatch(/answers\.jsonl:1: answers: /);
  });

  it("says which file is missing: the split's qrels, queries, or the corpus when ingesting", async () => {
    expect((await failure(load("dev"))).message).toBe(`${join(dir, "qrels", "dev.tsv")}: missing (no judgements for split 'dev': is --split right?)`);
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    await rm(join(dir, "corpus.jsonl"));
    expect((await failure(load("test", true))).message).toMatch(/corpus\.jsonl: missing/);
    await expect(load("test", false)).resolves.toMatchObject({ judged: [{ id: "q1" }] });
    await rm(join(dir, "queries.jsonl"));
    expect((await failure(load())).message).toMatch(/queries\.jsonl: missing/);
    expect((await failure(loadDataset(join(dir, "nope"), { split: "test", requireCorpus: false }))).message).toMatch(/no such directory/);
  });
});

describe("parseQrels", () => {
  it("refuses a qrels file with no judgements, and lets a repeated pair's later line win", () => {
    const queries = new Map([["q1", "question"]]);
    expect(() => parseQrels("query-id\tcorpus-id\tscore\n", "qrels.tsv", queries)).toThrow("qrels.tsv: no judgements");
    const { judged } = parseQrels("q1\td1\t1\nq1\td1\t3\n", "qrels.tsv", queries);
    expect(judged[0]?.qrels.get("d1")).toBe(3);
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
