import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { NatsConnection } from "@nats-io/nats-core";
import { CancelledError, UnavailableError } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { requestJson, requestStream } from "./request.js";

const Part = z.object({ n: z.number(), last: z.boolean() });

/** Subscriptions the connection holds (nats-core keeps them in `protocol.subscriptions`). */
function subscriptionCount(nc: NatsConnection): number {
  const protocol = Reflect.get(nc, "protocol") as { subscriptions: { size(): number } };
  return protocol.subscriptions.size();
}

describe("requests and streams over the connection's reply mux (real nats-server)", () => {
  let server: TestNatsServer;
  let responder: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    responder = await connectNats({ url: server.url, name: "responder" });
    // Three parts per request, the last one in a later turn.
    responder.subscribe("t.parts", {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify({ n: 0, last: false }));
        msg.respond(JSON.stringify({ n: 1, last: false }));
        setTimeout(() => msg.respond(JSON.stringify({ n: 2, last: true })), 5);
      },
    });
    responder.subscribe("t.one", {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify({ n: Number(msg.string()), last: true }));
      },
    });
    responder.subscribe("t.silent", { callback: () => undefined });
    await responder.flush();
  });
  afterAll(async () => {
    await responder.close();
    await server.stop();
  });

  it("runs many requests and streams at once under one subscription, each getting only its own replies", async () => {
    const nc = await connectNats({ url: server.url, name: "caller" });
    const before = subscriptionCount(nc);
    const stream = async () => {
      const got: number[] = [];
      for await (const part of requestStream(nc, "t.parts", {}, { message: Part, isLast: (p) => p.last, timeoutMs: 5_000, idleTimeoutMs: 5_000 })) got.push(part.n);
      return got;
    };
    let most = before;
    const sampler = setInterval(() => (most = Math.max(most, subscriptionCount(nc))), 1);
    const [streams, replies] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, stream)),
      Promise.all(Array.from({ length: 20 }, (_, i) => requestJson(nc, "t.one", i, { response: Part, timeoutMs: 5_000 }))),
    ]);
    expect(streams).toEqual(Array.from({ length: 20 }, () => [0, 1, 2]));
    expect(replies.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    clearInterval(sampler);
    // The mux's one subscription, made with the first request, and no SUB per request or stream.
    expect(most).toBe(before + 1);
    expect(subscriptionCount(nc)).toBe(before + 1);
    await nc.close();
  });

  it("ends a stream left waiting with CANCELLED on abort, and routes later requests as before", async () => {
    const nc = await connectNats({ url: server.url, name: "aborter" });
    const controller = new AbortController();
    const stream = requestStream(nc, "t.silent", {}, { message: Part, isLast: (p) => p.last, timeoutMs: 5_000, idleTimeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(stream.next()).rejects.toBeInstanceOf(CancelledError);
    expect((await requestJson(nc, "t.one", 7, { response: Part, timeoutMs: 5_000 })).n).toBe(7);
    await nc.close();
  });

  it("ends a waiting stream and request with UNAVAILABLE when the connection closes", async () => {
    const nc = await connectNats({ url: server.url, name: "closer" });
    const stream = requestStream(nc, "t.silent", {}, { message: Part, isLast: (p) => p.last, timeoutMs: 5_000, idleTimeoutMs: 5_000 });
    const streamEnd = stream.next().then(
      () => undefined,
      (err: unknown) => err,
    );
    const requestEnd = requestJson(nc, "t.silent", 1, { response: Part, timeoutMs: 5_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await nc.close();
    expect(await streamEnd).toBeInstanceOf(UnavailableError);
    expect(await requestEnd).toBeInstanceOf(UnavailableError);
  });
});
