import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_QUESTIONS_FILE } from "../demo.js";
import { loadQuestions, QuestionsFileError, readQuestionsFile } from "./questions.js";

describe("reading a queries file", () => {
  let dir: string;
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-bench-questions-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a BEIR queries.jsonl: _id (string or number) and text, metadata ignored, blank lines skipped", async () => {
    const path = await file(
      "queries.jsonl",
      '\uFEFF{"_id": "0", "text": "0-dimensional biomaterials lack inductive properties.", "metadata": {}}\n\n{"_id": 13, "text": "  长江有多长？ "}\r\n',
    );
    expect(await readQuestionsFile(path)).toEqual({
      source: path,
      questions: [
        { id: "0", text: "0-dimensional biomaterials lack inductive properties." },
        { id: "13", text: "长江有多长？" },
      ],
    });
  });

  it("reads a .txt file, one question per line, named by line number", async () => {
    const path = await file("questions.txt", "Why is the sky blue?\n\n  What causes tides?  \n");
    expect((await readQuestionsFile(path)).questions).toEqual([
      { id: "line 1", text: "Why is the sky blue?" },
      { id: "line 3", text: "What causes tides?" },
    ]);
  });

  it("names every bad line with its reason, as a usage error", async () => {
    const path = await file(
      "bad.jsonl",
      ['{"_id": "1", "text": "fine"}', "not json", '{"text": "no id"}', '{"_id": "4", "text": "   "}', '["an array"]'].join("\n"),
    );
    const error = await readQuestionsFile(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(QuestionsFileError);
    expect(error).toMatchObject({ exitCode: 2 });
    const message = (error as Error).message;
    expect(message).toContain("4 bad line(s)");
    expect(message).toContain(`${path}:2: not valid JSON`);
    expect(message).toContain(`${path}:3: '_id':`);
    expect(message).toContain(`${path}:4: 'text': must not be empty`);
    expect(message).toContain(`${path}:5: record:`);
    expect(message).not.toContain(`${path}:1:`);
  });

  it("lists at most five bad lines and counts the rest", async () => {
    const path = await file("many-bad.jsonl", Array.from({ length: 8 }, () => "{").join("\n"));
    await expect(readQuestionsFile(path)).rejects.toThrow(/8 bad line\(s\)[\s\S]*:5: [\s\S]*… and 3 more bad line\(s\)/);
  });

  it("refuses an overlong .txt question, an empty file, another extension and a missing file", async () => {
    await expect(readQuestionsFile(await file("long.txt", `ok\n${"x".repeat(8_001)}\n`))).rejects.toThrow(/long\.txt:2: /);
    await expect(readQuestionsFile(await file("empty.txt", "\n  \n"))).rejects.toThrow(/no questions in it/);
    await expect(readQuestionsFile(await file("q.json", "[]"))).rejects.toThrow(/expected a BEIR queries \.jsonl file or a \.txt file/);
    await expect(readQuestionsFile(join(dir, "missing.txt"))).rejects.toThrow(QuestionsFileError);
  });

  it("uses the demo questions without a file", async () => {
    const set = await loadQuestions();
    expect(set.source).toBe(DEMO_QUESTIONS_FILE);
    expect(set.questions).toContainEqual({ id: "en:en/mars.md", text: "Why does Mars look red?" });
    expect(set.questions.length).toBeGreaterThanOrEqual(2);
  });
});
