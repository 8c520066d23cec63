import { describe, expect, it } from "vitest";
import { DEMO_KB_DIR, loadDemoQuestions } from "./demo.js";
import { openDocumentSource, readDocuments } from "./documents/document-source.js";
import type { SourceRecord } from "./documents/source-record.js";

describe("the demo knowledge base", () => {
  it("reads as ten titled documents, five English and five Chinese, none rejected", async () => {
    const records: SourceRecord[] = [];
    for await (const record of readDocuments(await openDocumentSource(DEMO_KB_DIR), "demo")) records.push(record);
    expect(records.filter((r) => r.kind !== "document")).toEqual([]);
    const docs = records.flatMap((r) => (r.kind === "document" ? [r.document] : []));
    expect(docs).toHaveLength(10);
    expect(docs.filter((d) => d.id.startsWith("en/"))).toHaveLength(5);
    expect(docs.filter((d) => d.id.startsWith("zh/"))).toHaveLength(5);
    expect(docs.every((d) => d.title !== undefined && d.title !== "" && d.title !== d.id)).toBe(true);
  });

  it("has one English and one Chinese question, each naming a document that exists and contains its key words", async () => {
    const questions = await loadDemoQuestions();
    expect(questions.map((q) => q.language).sort()).toEqual(["en", "zh"]);
    const texts = new Map<string, string>();
    for await (const record of readDocuments(await openDocumentSource(DEMO_KB_DIR), "demo")) {
      if (record.kind === "document") texts.set(record.document.id, record.document.text);
    }
    for (const q of questions) expect(texts.has(q.expect)).toBe(true);
    expect(texts.get("en/mars.md")).toMatch(/red because .* iron oxide/s);
    expect(texts.get("zh/saturn.md")).toContain("光环主要由大量的冰块和岩石碎块组成");
  });
});
