import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelRequest, QueryRequest, Subjects, type StageEvent } from "@kbalign/contracts";
import { connectNats, decodeJson, encodeJson, type NatsConnection, type Subscription } from "@kbalign/nats";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { CliError } from "../errors.js";
import { memoryTerminal } from "../terminal.js";
import { askQuestion } from "./ask-question.js";
import { newRequestId, sendCancel, streamQuery, type ReceivedEvent } from "./query-stream.js";

/**
 * A stand-in orchestrator on a real nats-server, speaking the public contract, so the client's
 * side (ordering, terminal detection, timeouts, cancel) is tested without the services.
 */
function serveFakeOrchestrator(nc: NatsConnection): Subscription[] {
  const waitingForCancel = new Map<string, (event: object) => void>();
  const query = nc.subscribe(Subjects.query, {
    callback: (_err, msg) => {
      const request = QueryRequest.parse(decodeJson(msg.data));
      const requestId = request.requestId ?? "generated";
      let seq = 0;
      const send = (event: object) => msg.respond(encodeJson({ requestId, seq: seq++, ...event }));
      const recall = { state: "recall", value: ["Tides are caused by the Moon."], docs: [{ id: "en-tides", score: 3.2, title: "Ocean tides" }] };
      switch (request.query) {
        case "hang":
          send(recall);
          return;
        case "slow":
          send(recall);
          waitingForCancel.set(requestId, send);
          return;
        case "malformed":
          send({ state: "recall", value: "not an array" });
          send({ state: "done", value: "", timingsMs: { total: 1 }, degraded: [] });
          return;
        default:
          send(recall);
          send({ state: "first_answer", value: "The Moon." });
          send({ ...recall, state: "query_expansion_recall" });
          send({ state: "data", value: "The Moon's " });
          send({ state: "data", value: "gravity.", extra: request.messages[0]?.content ?? "" });
          send({ state: "done", value: "", timingsMs: { recall: 1, total: 4 }, degraded: [] });
      }
    },
  });
  const cancel = nc.subscribe(Subjects.cancel, {
    callback: (_err, msg) => {
      const { requestId } = CancelRequest.parse(decodeJson(msg.data));
      waitingForCancel.get(requestId)?.({ state: "error", value: "cancelled by the client", code: "CANCELLED", retryable: false });
    },
  });
  return [query, cancel];
}

describe("streamQuery / askQuestion against a fake orchestrator on a real nats-server", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    nc = await connectNats({ url: server.url, name: "ask-test" });
    serveFakeOrchestrator(nc);
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  const collect = async (query: string, timeoutMs = 5_000) => {
    const events: ReceivedEvent[] = [];
    for await (const received of streamQuery(nc, { query, collection: "docs", requestId: newRequestId() }, { clientTimeoutMs: timeoutMs })) events.push(received);
    return events;
  };

  it("yields every event in order and stops at the terminal one", async () => {
    const events = await collect("What causes tides?");
    expect(events.map((e) => e.event?.state)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "data", "done"]);
    expect(events.map((e) => e.event?.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("flags an event that breaks the contract instead of trusting it", async () => {
    const events = await collect("malformed");
    expect(events[0]).toMatchObject({ raw: { state: "recall", value: "not an array" }, problem: expect.stringContaining("value") });
    expect(events[0]?.event).toBeUndefined();
    expect(events[1]?.event?.state).toBe("done");
  });

  it("gives up after the client timeout when no terminal event comes (never hangs)", async () => {
    await expect(collect("hang", 300)).rejects.toThrow(new CliError("no answer completed within 300 ms: is the orchestrator running and reachable?"));
  });

  it("ends with the CANCELLED event after a cancel is sent", async () => {
    const requestId = newRequestId();
    const states: StageEvent[] = [];
    for await (const { event } of streamQuery(nc, { query: "slow", collection: "docs", requestId }, { clientTimeoutMs: 5_000 })) {
      if (!event) continue;
      states.push(event);
      if (event.state === "recall") await sendCancel(nc, requestId);
    }
    expect(states.map((e) => e.state)).toEqual(["recall", "error"]);
    expect(states[1]).toMatchObject({ code: "CANCELLED", requestId });
  });

  it("askQuestion prints readable stages, sends --system as a system message, and exits 0 on done", async () => {
    const terminal = memoryTerminal();
    const outcome = await askQuestion(nc, { question: "What causes tides?", collection: "docs", timeoutMs: 5_000, json: false, system: "Be brief." }, terminal);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.terminal?.state).toBe("done");
    expect(terminal.out()).toContain("recall · 1 document(s)\n  1. en-tides  3.20  Ocean tides\n");
    expect(terminal.out()).toContain("answer\nThe Moon's gravity.\ndone · 4 ms (recall 1 ms)\n");
    expect(terminal.err()).toBe("");
  });

  it("askQuestion --json prints each raw event as one JSON line, unknown keys kept", async () => {
    const terminal = memoryTerminal();
    await askQuestion(nc, { question: "What causes tides?", collection: "docs", timeoutMs: 5_000, json: true, system: "Be brief." }, terminal);
    const lines = terminal.out().trimEnd().split("\n").map((line) => JSON.parse(line) as { state: string; extra?: string });
    expect(lines.map((l) => l.state)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "data", "done"]);
    expect(lines[4]?.extra).toBe("Be brief.");
  });

  it("askQuestion exits 1 when the answer ends with an error event", async () => {
    const terminal = memoryTerminal();
    const requestId = newRequestId();
    const asking = askQuestion(nc, { question: "slow", collection: "docs", timeoutMs: 5_000, json: false, requestId }, terminal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sendCancel(nc, requestId);
    expect(await asking).toMatchObject({ exitCode: 1, terminal: { state: "error", code: "CANCELLED" } });
    expect(terminal.err()).toBe("error CANCELLED: cancelled by the client\n");
  });
});

describe("askQuestion with no orchestrator running", () => {
  it("fails at once with a message that says to start the stack", async () => {
    const server = await startNatsServer({ jetstream: false });
    const nc = await connectNats({ url: server.url, name: "ask-test-empty" });
    try {
      await expect(askQuestion(nc, { question: "q", collection: "docs", timeoutMs: 10_000, json: false }, memoryTerminal())).rejects.toThrow(
        /no orchestrator answers on kbalign\.v1\.query: is the stack running\?/,
      );
    } finally {
      await nc.close();
      await server.stop();
    }
  });
});
