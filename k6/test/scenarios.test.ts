import { describe, expect, it } from "vitest";
import { BUILT_IN_QUESTIONS, parseQuestions } from "../lib/questions.js";
import { optionsFor, SCENARIOS, TARGETS } from "../lib/scenarios.js";

describe("k6 options", () => {
  it("hold the user's targets as thresholds in every scenario", () => {
    for (const name of Object.keys(SCENARIOS)) {
      const options = optionsFor(name, undefined);
      expect(options.thresholds.kbalign_terminal_ms).toEqual([`p(99)<${TARGETS.p99Ms}`]);
      expect(options.thresholds.kbalign_errors).toEqual([`rate<${TARGETS.maxErrorRate}`]);
      expect(Object.keys(options.scenarios)).toEqual([name]);
    }
  });

  it("check throughput above 100/s on the steady run, at the rate asked", () => {
    const steady = optionsFor("steady", 150);
    expect(steady.thresholds.kbalign_answers).toEqual(["rate>100"]);
    expect(steady.scenarios.steady).toMatchObject({ executor: "constant-arrival-rate", rate: 150 });
    expect(optionsFor("spike", 800).scenarios.spike).toMatchObject({ executor: "ramping-arrival-rate" });
  });

  it("refuse an unknown scenario, naming the known ones", () => {
    expect(() => optionsFor("soak", undefined)).toThrow("unknown scenario 'soak': use one of steady, ramp, spike");
  });
});

describe("parseQuestions", () => {
  it("reads BEIR jsonl and text files, and falls back to built-in questions", () => {
    expect(parseQuestions('{"_id":"1","text":"a?"}\n\n{"_id":"2","text":"b?"}\n', "q.jsonl")).toEqual(["a?", "b?"]);
    expect(parseQuestions("one\r\ntwo\n", "q.txt")).toEqual(["one", "two"]);
    expect(parseQuestions(undefined, "")).toBe(BUILT_IN_QUESTIONS);
  });

  it("names the bad line", () => {
    expect(() => parseQuestions('{"_id":"1","text":"a"}\nnope\n', "q.jsonl")).toThrow("q.jsonl:2: not valid JSON");
    expect(() => parseQuestions('{"_id":"1"}\n', "q.jsonl")).toThrow("q.jsonl:1: no 'text' string");
  });
});
