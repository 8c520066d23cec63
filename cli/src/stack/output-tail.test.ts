import { describe, expect, it } from "vitest";
import { createOutputTail } from "./output-tail.js";

describe("createOutputTail", () => {
  it("keeps the last complete lines, joining lines split across chunks", () => {
    const tail = createOutputTail(3);
    tail.push("one\ntw");
    tail.push("o\n\nthree\nfour\nfi");
    expect(tail.lines()).toEqual(["three", "four", "fi"]);
    tail.push("ve\n");
    expect(tail.lines()).toEqual(["three", "four", "five"]);
  });
});
