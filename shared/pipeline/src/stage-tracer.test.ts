import { describe, expect, it } from "vitest";
import { GenerationError, UnavailableError, type KBAlignError, type Stage } from "@kbalign/contracts";
import { chunks, collect, docsA, failing, scriptedGenerator, scriptedRetriever, states } from "../test/fakes.js";
import { KBAlign } from "./kbalign.js";
import type { StageResult, StageTracer } from "./stage-tracer.js";

const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };
const ask = { query: "How do bees communicate?", collection: "docs", topn: 3 };

interface Recorded {
  stage: Stage;
  retries: { target: string; attempt: number; code: string }[];
  ended?: { error: KBAlignError | undefined; result: StageResult | undefined };
}

/** A tracer that remembers its spans and which stage is current while a port is called. */
function recordingTracer() {
  const spans: Recorded[] = [];
  let current: Stage | undefined;
  const tracer: StageTracer = {
    startStage(stage) {
      const span: Recorded = { stage, retries: [] };
      spans.push(span);
      return {
        run(fn) {
          const outer = current;
          current = stage;
          try {
            return fn();
          } finally {
            current = outer;
          }
        },
        retrying: (target, info) => span.retries.push({ target, attempt: info.attempt, code: info.error.code }),
        end: (error, result) => {
          span.ended = { error, result };
        },
      };
    },
  };
  return { tracer, spans, current: () => current };
}

describe("KBAlign with a stage tracer", () => {
  it("opens one span per stage, in order, and calls each port inside its stage's span", async () => {
    const rec = recordingTracer();
    const retrieveStages: (Stage | undefined)[] = [];
    const generateStages: (Stage | undefined)[] = [];
    const retriever = scriptedRetriever((call) => {
      retrieveStages.push(rec.current());
      return call === 0 ? docsA : docsA.slice(0, 1);
    });
    const generator = scriptedGenerator(async function* () {
      generateStages.push(rec.current()); // the body runs on the first next(): the request is sent here
      yield* chunks("an ", "answer");
    });
    await collect(new KBAlign(retriever.port, generator.port, fast, {}, rec.tracer).run(ask));

    expect(rec.spans.map((s) => s.stage)).toEqual(["recall", "first_answer", "query_expansion_recall", "final_answer"]);
    expect(retrieveStages).toEqual(["recall", "query_expansion_recall"]);
    expect(generateStages).toEqual(["first_answer", "final_answer"]);
    expect(rec.spans.map((s) => s.ended)).toEqual([
      { error: undefined, result: { documents: docsA.length } },
      { error: undefined, result: { chars: "an answer".length, text: "an answer" } },
      { error: undefined, result: { documents: 1 } },
      { error: undefined, result: { chars: "an answer".length, text: "an answer" } },
    ]);
  });

  it("records retries on the stage's span and ends a failed stage with its error, also when the request degrades", async () => {
    const rec = recordingTracer();
    const retriever = scriptedRetriever((call) => {
      if (call === 0) throw new UnavailableError("retriever restarting");
      return docsA;
    });
    const generator = scriptedGenerator((call) => (call === 0 ? failing(new GenerationError("model refused")) : chunks("final")));
    const events = await collect(new KBAlign(retriever.port, generator.port, { ...fast, maxRetries: 1 }, {}, rec.tracer).run(ask));

    expect(states(events)).toEqual(["recall", "data", "done"]);
    const [recall, first, final] = rec.spans;
    expect(recall?.retries).toEqual([{ target: "retrieve", attempt: 1, code: "UNAVAILABLE" }]);
    expect(recall?.ended?.error).toBeUndefined();
    expect(first?.stage).toBe("first_answer");
    expect(first?.ended?.error?.code).toBe("GENERATION_FAILED");
    expect(final?.stage).toBe("final_answer");
    expect(rec.spans).toHaveLength(3); // no expansion recall after a failed first answer
  });
});
