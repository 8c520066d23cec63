import { describe, expect, it } from "vitest";
import type { RequestSample } from "./measure-request.js";
import { runOpenLoopStep } from "./open-loop-step.js";
import type { QuerySender } from "./query-sender.js";

const sample = (index: number, fields: Partial<RequestSample>): RequestSample => ({
  index,
  questionId: "q",
  requestId: `r${index}`,
  sentAtMs: 0,
  endMs: 5,
  outcome: "done",
  events: 4,
  dataEvents: 1,
  contractProblems: 0,
  recallMs: 1,
  firstAnswerMs: 2,
  firstDataMs: 3,
  ...fields,
});

describe("runOpenLoopStep", () => {
  it("counts every arrival's outcome: ok, errors by code, degradations, latencies per milestone", async () => {
    const send: QuerySender = async (_question, { index }) => {
      if (index % 10 === 3) return sample(index, { outcome: "error", code: "OVERLOADED", endMs: 1 });
      if (index % 10 === 7) return sample(index, { degraded: ["first_answer:TIMEOUT"] });
      return sample(index, {});
    };
    const step = await runOpenLoopStep({ ratePerSecond: 200, durationMs: 200, questions: [{ id: "q", text: "why?" }], send, drainMs: 5_000 });
    expect(step.sent).toBe(40);
    expect(step.completed).toBe(40);
    expect(step.ok).toBe(36);
    expect(step.errorsByCode).toEqual({ OVERLOADED: 4 });
    expect(step.errorRate).toBeCloseTo(0.1, 6);
    expect(step.degradedRequests).toBe(4);
    expect(step.degradedByReason).toEqual({ "first_answer:TIMEOUT": 4 });
    expect(step.latencyMs.recall?.count).toBe(40);
    expect(step.latencyMs.terminal?.max).toBeCloseTo(5, 2);
    // The answered and the refused apart: 36 answers at 5 ms, 4 refusals at 1 ms.
    expect(step.answeredMs).toMatchObject({ count: 36 });
    expect(step.answeredMs?.p50).toBeCloseTo(5, 2);
    expect(Object.keys(step.errorLatencyMs)).toEqual(["OVERLOADED"]);
    expect(step.errorLatencyMs.OVERLOADED).toMatchObject({ count: 4 });
    expect(step.errorLatencyMs.OVERLOADED?.max).toBeCloseTo(1, 2);
  });

  it("counts requests still unanswered when the drain gives up as UNFINISHED errors", async () => {
    const send: QuerySender = (_question, { index }) => (index === 0 ? new Promise<RequestSample>(() => {}) : Promise.resolve(sample(index, {})));
    const step = await runOpenLoopStep({ ratePerSecond: 100, durationMs: 100, questions: [{ id: "q", text: "why?" }], send, drainMs: 50 });
    expect(step.sent).toBe(10);
    expect(step.unfinished).toBe(1);
    expect(step.errorsByCode).toEqual({ UNFINISHED: 1 });
    expect(step.errors).toBe(1);
  });

  it("passes each arrival its scheduled time and asks the questions in turn", async () => {
    const asked: Array<{ id: string; scheduledAt?: number }> = [];
    const send: QuerySender = async (question, position) => {
      asked.push({ id: question.id, ...(position.scheduledAt === undefined ? {} : { scheduledAt: position.scheduledAt }) });
      return sample(position.index, {});
    };
    await runOpenLoopStep({
      ratePerSecond: 100,
      durationMs: 50,
      questions: [
        { id: "a", text: "a?" },
        { id: "b", text: "b?" },
      ],
      questionOffset: 1,
      send,
      drainMs: 1_000,
    });
    expect(asked.map((a) => a.id)).toEqual(["b", "a", "b", "a", "b"]);
    const times = asked.map((a) => a.scheduledAt ?? Number.NaN);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeCloseTo(10, 6);
  });
});
