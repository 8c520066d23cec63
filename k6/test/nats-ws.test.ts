import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort } from "@kbalign/net";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { NatsParser, NatsWsClient, QUERY_SUBJECT, parseHeaders, sendQuery, utf8Decode, utf8Encode, type QueryResult } from "../lib/nats-ws.js";

describe("utf8", () => {
  it("round-trips ASCII, Chinese, accents and astral characters", () => {
    const text = "BM25 知识库 café 😀";
    expect(utf8Decode(utf8Encode(text))).toBe(text);
    expect(utf8Encode("知")).toEqual(Uint8Array.from(Buffer.from("知", "utf8")));
  });
});

describe("NatsParser", () => {
  it("assembles operations cut at every byte, multi-byte characters included", () => {
    const stream = Buffer.from('INFO {"server_id":"x"}\r\nMSG a.b 7 _INBOX.r 6\r\n知识\r\nPING\r\nHMSG c 8 22 24\r\nNATS/1.0 503\r\nK: v\r\n\r\nok\r\n+OK\r\n-ERR \'Authorization Violation\'\r\n', "utf8");
    const parser = new NatsParser();
    const ops = [...stream].flatMap((byte) => parser.push(Uint8Array.of(byte)));
    expect(ops.map((op) => op.op)).toEqual(["INFO", "MSG", "PING", "MSG", "OK", "ERR"]);
    const [, msg, , hmsg, , err] = ops;
    expect(msg).toMatchObject({ subject: "a.b", sid: 7, reply: "_INBOX.r" });
    expect(msg?.op === "MSG" && utf8Decode(msg.data)).toBe("知识");
    expect(hmsg?.op === "MSG" && hmsg.headers).toEqual({ status: 503, values: { K: ["v"] } });
    expect(hmsg?.op === "MSG" && utf8Decode(hmsg.data)).toBe("ok");
    expect(err).toEqual({ op: "ERR", message: "Authorization Violation" });
  });

  it("refuses an operation it does not know, naming it", () => {
    expect(() => new NatsParser().push("BOGUS 1\r\n")).toThrow(/unknown NATS operation: BOGUS 1/);
  });

  it("reads status, description and repeated headers", () => {
    expect(parseHeaders("NATS/1.0 408 Request Timeout\r\nA: 1\r\nA: 2\r\n\r\n")).toEqual({ status: 408, description: "Request Timeout", values: { A: ["1", "2"] } });
    expect(() => parseHeaders("HTTP/1.1 200\r\n\r\n")).toThrow(/bad NATS header block/);
  });
});

/** A NatsWsClient over a real WebSocket to nats-server, connected (CONNECT acknowledged by PONG). */
async function openClient(url: string): Promise<{ client: NatsWsClient; ws: WebSocket; errors: string[] }> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const errors: string[] = [];
  const client = new NatsWsClient({ send: (data) => ws.send(data) }, { name: "k6-module-test", onError: (m) => errors.push(m) });
  // Before the open: the server's INFO can come in the same read as the upgrade's answer.
  ws.on("message", (data: ArrayBuffer) => client.receive(data));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  await new Promise<void>((resolve) => client.connect(resolve));
  return { client, ws, errors };
}

const ask = (client: NatsWsClient, body: { query: string; collection: string }) =>
  new Promise<QueryResult>((resolve) => {
    const query = sendQuery(client, body, () => performance.now(), resolve);
    setTimeout(() => query.giveUp(), 5_000).unref();
  });

describe("NatsWsClient against nats-server's WebSocket listener", () => {
  let server: TestNatsServer;
  let responder: NatsConnection;
  let url: string;

  beforeAll(async () => {
    const websocketPort = await freePort();
    server = await startNatsServer({ jetstream: false, websocketPort });
    url = `ws://127.0.0.1:${websocketPort}`;
    responder = await connect({ servers: server.url });
    // A stand-in orchestrator speaking the public contract: the stage events in order, then done.
    responder.subscribe(QUERY_SUBJECT, {
      callback: (_err, msg) => {
        const request = msg.json<{ requestId: string; query: string; collection: string }>();
        if (!msg.reply) return;
        const base = { requestId: request.requestId };
        if (request.collection === "missing") {
          msg.respond(JSON.stringify({ ...base, seq: 0, state: "error", value: "collection 'missing' not found", code: "COLLECTION_NOT_FOUND", retryable: false }));
          return;
        }
        const big = "长".repeat(request.query === "big" ? 100_000 : 1);
        const events = [
          { state: "recall", value: ["doc one", big], docs: [] },
          { state: "first_answer", value: `answer to ${request.query}` },
          { state: "query_expansion_recall", value: ["doc two"], docs: [] },
          { state: "data", value: "chunk 1 " },
          { state: "data", value: "chunk 2" },
          { state: "done", timingsMs: {}, degraded: [{ stage: "first_answer", code: "TIMEOUT", reason: "r" }] },
        ];
        events.forEach((event, seq) => msg.respond(JSON.stringify({ ...base, seq, ...event })));
      },
    });
    await responder.flush();
  });

  afterAll(async () => {
    await responder?.close();
    await server?.stop();
  });

  it("connects and round-trips a PING", async () => {
    const { client, ws, errors } = await openClient(url);
    expect(client.info?.server_id).toEqual(expect.any(String));
    await new Promise<void>((resolve) => client.flush(resolve));
    expect(errors).toEqual([]);
    ws.close();
  });

  it("publishes a query and assembles its stage events up to done, each milestone timed", async () => {
    const { client, ws } = await openClient(url);
    const result = await ask(client, { query: "知识库如何更新？", collection: "docs" });
    expect(result).toMatchObject({ state: "done", events: 6, dataEvents: 2, seqProblems: 0, degraded: ["first_answer:TIMEOUT"] });
    for (const milestone of [result.recallMs, result.firstAnswerMs, result.firstDataMs, result.terminalMs]) expect(milestone).toBeGreaterThanOrEqual(0);
    expect(result.recallMs ?? 0).toBeLessThanOrEqual(result.firstAnswerMs ?? 0);
    expect(result.firstDataMs ?? 0).toBeLessThanOrEqual(result.terminalMs ?? 0);
    ws.close();
  });

  it("reads an event larger than one WebSocket frame", async () => {
    const { client, ws } = await openClient(url);
    const result = await ask(client, { query: "big", collection: "docs" });
    expect(result).toMatchObject({ state: "done", events: 6, seqProblems: 0 });
    ws.close();
  });

  it("ends on an error event with its code", async () => {
    const { client, ws } = await openClient(url);
    const result = await ask(client, { query: "q", collection: "missing" });
    expect(result).toMatchObject({ state: "error", code: "COLLECTION_NOT_FOUND", events: 1 });
    ws.close();
  });

  it("fails at once with UNAVAILABLE when nobody serves the subject (no responders)", async () => {
    const { client, ws } = await openClient(url);
    const result = await new Promise<QueryResult>((resolve) => {
      const requestId = "k6-test-nobody";
      const inbox = "_INBOX.nobody";
      client.subscribe(inbox, (message) => {
        resolve({ requestId, state: message.headers?.status === 503 ? "error" : "other", code: String(message.headers?.status), events: 0, dataEvents: 0, seqProblems: 0, degraded: [] });
      });
      client.publish("kbalign.v1.nobody-here", "{}", inbox);
    });
    expect(result.code).toBe("503");
    ws.close();
  });

  it("runs many queries at once on one connection, each to its own terminal event", async () => {
    const { client, ws } = await openClient(url);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(client, { query: `q${i}`, collection: "docs" })));
    expect(results.map((r) => r.state)).toEqual(Array(20).fill("done"));
    expect(new Set(results.map((r) => r.requestId)).size).toBe(20);
    ws.close();
  });
});
