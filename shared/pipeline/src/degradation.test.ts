import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  CollectionNotFoundError,
  ErrorCode,
  GenerationError,
  InternalError,
  OverloadedError,
  RetrievalError,
  Stage,
  TimeoutError,
  UnavailableError,
} from "@kbalign/contracts";
import { brokenStreamFailure, degradation, degradationTable, extractiveFallback, recallFailure } from "./degradation.js";

describe("degradationTable", () => {
  it("has one row per recoverable failure of DESIGN.md, each on a pipeline stage", () => {
    expect(Object.keys(degradationTable)).toEqual(["firstAnswerFailed", "expansionRecallFailed", "finalAnswerFailed", "finalAnswerCut"]);
    for (const row of Object.values(degradationTable)) expect(Stage.options).toContain(row.stage);
  });

  it("builds the done.degraded entry from the reason and the error", () => {
    expect(degradation("firstAnswerFailed", new TimeoutError("first answer took longer than 8000 ms"))).toEqual({
      stage: "first_answer",
      code: "TIMEOUT",
      fallback: "skipped query expansion",
      message: "first answer took longer than 8000 ms",
    });
  });
});

describe("recallFailure", () => {
  it.each([
    [new CollectionNotFoundError("docs"), "COLLECTION_NOT_FOUND", false],
    [new BadRequestError("bad", "query"), "BAD_REQUEST", false],
    [new RetrievalError("index broken", true), "RETRIEVAL_FAILED", true],
    [new UnavailableError("no responders"), "RETRIEVAL_FAILED", true],
    [new TimeoutError("slow"), "RETRIEVAL_FAILED", true],
    [new OverloadedError("busy"), "RETRIEVAL_FAILED", true],
    [new InternalError("internal error"), "INTERNAL", false],
  ])("maps %s to %s (retryable %s)", (error, code, retryable) => {
    const mapped = recallFailure(error);
    expect(ErrorCode.parse(mapped.code)).toBe(code);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.message).toContain(error.message);
  });
});

describe("brokenStreamFailure", () => {
  it("is a retryable GENERATION_FAILED carrying the cause", () => {
    const cause = new UnavailableError("gone");
    const err = brokenStreamFailure(cause, 3);
    expect(err).toBeInstanceOf(GenerationError);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe("generation failed after 3 chunk(s): gone");
    expect(err.cause).toBe(cause);
  });
});

describe("extractiveFallback", () => {
  it("answers with the documents' sentences, as chunks that join into readable text", () => {
    const docs = [
      { id: "a", score: 1, text: "Bees dance to share directions. Bread needs yeast. Bees also dance for distance." },
    ];
    const chunks = extractiveFallback("why do bees dance", docs, 5);
    expect(chunks).toEqual(["Bees dance to share directions.", " Bees also dance for distance."]);
  });

  it("joins Chinese sentences without spaces", () => {
    const docs = [{ id: "z", score: 1, text: "大熊猫吃竹子。大熊猫生活在四川。" }];
    expect(extractiveFallback("大熊猫", docs, 5).join("")).toBe("大熊猫吃竹子。大熊猫生活在四川。");
  });

  it("is empty without documents", () => {
    expect(extractiveFallback("anything", [], 5)).toEqual([]);
  });
});
