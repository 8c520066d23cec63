import { describe, expect, it } from "vitest";
import { BadRequestError, OverloadedError, StageEvent } from "@kbalign/contracts";
import { createEventStream } from "./event-stream.js";

describe("createEventStream", () => {
  it("numbers events from 0 under the request id", () => {
    const events = createEventStream("r1");
    const a = events.emit({ state: "recall", value: ["t"], docs: [{ id: "d", score: 1 }] });
    const b = events.emit({ state: "data", value: "x" });
    expect([a?.seq, b?.seq]).toEqual([0, 1]);
    expect(a?.requestId).toBe("r1");
    expect(StageEvent.parse(a)).toEqual(a);
  });

  it("emits nothing after a terminal event", () => {
    const events = createEventStream("r1");
    expect(events.emit({ state: "done", value: "", timingsMs: { total: 1 }, degraded: [] })?.seq).toBe(0);
    expect(events.ended).toBe(true);
    expect(events.emit({ state: "data", value: "late" })).toBeUndefined();
    expect(events.fail(new OverloadedError("busy"))).toBeUndefined();
  });

  it("turns an error into one error event with code, retryable and field", () => {
    const events = createEventStream("r2");
    const event = events.fail(new BadRequestError("invalid query request: 'topn': too big", "topn"));
    expect(event).toEqual({
      requestId: "r2",
      seq: 0,
      state: "error",
      value: "invalid query request: 'topn': too big",
      code: "BAD_REQUEST",
      retryable: false,
      field: "topn",
    });
    expect(events.fail(new OverloadedError("x"))).toBeUndefined();
    expect(createEventStream("r3").fail(new OverloadedError("too many requests"))).toMatchObject({ code: "OVERLOADED", retryable: true });
  });
});
