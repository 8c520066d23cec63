import { describe, expect, it } from "vitest";
import { StageEvent } from "@kbalign/contracts";
import { memoryTerminal } from "../terminal.js";
import { createReadablePrinter, formatTimings, printJsonLine } from "./event-printer.js";

const events = [
  { requestId: "r", seq: 0, state: "recall", value: ["Tides are…", "Rainbows…"], docs: [{ id: "en-tides", score: 12.345, title: "Ocean tides" }, { id: "en-rainbow", score: 1 }] },
  { requestId: "r", seq: 1, state: "first_answer", value: "The Moon.\nMostly." },
  { requestId: "r", seq: 2, state: "query_expansion_recall", value: [], docs: [] },
  { requestId: "r", seq: 3, state: "data", value: "The Moon's " },
  { requestId: "r", seq: 4, state: "data", value: "gravity." },
  {
    requestId: "r",
    seq: 5,
    state: "done",
    value: "",
    timingsMs: { recall: 1.4, first_answer: 10, final_answer: 20.6, total: 35 },
    degraded: [{ stage: "query_expansion_recall", code: "TIMEOUT", fallback: "answered from the first recall", message: "retrieve timed out" }],
  },
].map((e) => StageEvent.parse(e));

describe("createReadablePrinter", () => {
  it("prints numbered documents, the first answer, the streamed answer and the timings", () => {
    const terminal = memoryTerminal();
    const print = createReadablePrinter(terminal);
    events.forEach(print);
    expect(terminal.out()).toBe(
      [
        "recall · 2 document(s)",
        "  1. en-tides  12.35  Ocean tides",
        "  2. en-rainbow  1.00",
        "first answer",
        "  The Moon.",
        "  Mostly.",
        "query expansion recall · 0 document(s)",
        "  (none)",
        "answer",
        "The Moon's gravity.",
        "done · 35 ms (recall 1 ms, first answer 10 ms, final answer 21 ms)",
        "  degraded query_expansion_recall: TIMEOUT → answered from the first recall (retrieve timed out)",
        "",
      ].join("\n"),
    );
    expect(terminal.err()).toBe("");
  });

  it("prints an error event with its code and field on stderr", () => {
    const terminal = memoryTerminal();
    createReadablePrinter(terminal)(
      StageEvent.parse({ requestId: "r", seq: 0, state: "error", value: "invalid request: 'topn': too big", code: "BAD_REQUEST", retryable: false, field: "topn" }),
    );
    expect(terminal.err()).toBe("error BAD_REQUEST (topn): invalid request: 'topn': too big\n");
    expect(terminal.out()).toBe("");
  });
});

describe("formatTimings / printJsonLine", () => {
  it("shows only the stages that ran", () => {
    expect(formatTimings({ total: 3 })).toBe("3 ms");
  });

  it("prints a raw event as one JSON line, unknown keys kept", () => {
    const terminal = memoryTerminal();
    printJsonLine({ state: "data", value: "a\nb", extra: 1 }, terminal);
    expect(terminal.out()).toBe('{"state":"data","value":"a\\nb","extra":1}\n');
  });
});
