import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseEvalTopN, parseLimit, parseSplit } from "./eval-arguments.js";

describe("kbalign eval option parsers", () => {
  it("takes topn from 10 (nDCG@10 needs 10 documents) to 50 (the contract's most)", () => {
    expect(parseEvalTopN("10")).toBe(10);
    expect(parseEvalTopN("50")).toBe(50);
    expect(() => parseEvalTopN("5")).toThrow(InvalidArgumentError);
    expect(() => parseEvalTopN("51")).toThrow("must be an integer from 10 to 50");
    expect(() => parseEvalTopN("ten")).toThrow(InvalidArgumentError);
  });

  it("takes a positive --limit and a split name that cannot leave qrels/", () => {
    expect(parseLimit("500")).toBe(500);
    expect(() => parseLimit("0")).toThrow(InvalidArgumentError);
    expect(parseSplit(" test ")).toBe("test");
    expect(() => parseSplit("../test")).toThrow(InvalidArgumentError);
    expect(() => parseSplit("")).toThrow(InvalidArgumentError);
  });
});
