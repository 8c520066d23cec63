import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats, type Msg, type NatsConnection } from "@kbalign/nats";
import { freePort } from "@kbalign/net";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { openReplyStream } from "./reply-stream.js";

const decoder = new TextDecoder();

async function collect(messages: AsyncIterable<Msg>): Promise<string[]> {
  const received: string[] = [];
  for await (const msg of messages) received.push(decoder.decode(msg.data));
  return received;
}

describe("openReplyStream on a real nats-server", () => {
  let server: TestNatsServer;
  let monitorPort: number;
  let nc: NatsConnection;
  let responder: NatsConnection;

  const serverSubscriptions = async (): Promise<number> => {
    const varz = (await (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).json()) as { subscriptions: number };
    return varz.subscriptions;
  };

  beforeAll(async () => {
    monitorPort = await freePort();
    server = await startNatsServer({ jetstream: false, monitorPort });
    nc = await connectNats({ url: server.url, name: "mux-test" });
    responder = await connectNats({ url: server.url, name: "mux-responder" });
    // Three replies per request, each naming the request, so a reply routed to the wrong stream shows.
    responder.subscribe("test.ask", {
      callback: (_err, msg) => {
        const body = decoder.decode(msg.data);
        for (const part of ["a", "b", "c"]) msg.respond(`${body}:${part}`);
      },
    });
    await responder.flush();
  });

  afterAll(async () => {
    await nc?.close();
    await responder?.close();
    await server?.stop();
  });

  it("routes every reply to its own stream, in order, with one subscription for all of them", async () => {
    // The connection's one reply subscription, made by its first stream.
    openReplyStream(nc).close();
    await nc.flush();
    const before = await serverSubscriptions();

    const streams = Array.from({ length: 50 }, () => openReplyStream(nc));
    streams.forEach((stream, i) => nc.publish("test.ask", `q${i}`, { reply: stream.inbox }));
    await nc.flush();
    // 50 queries in flight: no subscription of their own on the server.
    expect(await serverSubscriptions()).toBe(before);

    const results = await Promise.all(
      streams.map(async (stream) => {
        const received: string[] = [];
        for await (const msg of stream.messages) {
          received.push(decoder.decode(msg.data));
          if (received.length === 3) stream.close();
        }
        return received;
      }),
    );
    results.forEach((received, i) => expect(received).toEqual([`q${i}:a`, `q${i}:b`, `q${i}:c`]));
  });

  it("drops replies that arrive after close and delivers those received before it", async () => {
    const stream = openReplyStream(nc);
    nc.publish("test.ask", "late", { reply: stream.inbox });
    await nc.flush();
    // Let the replies arrive and buffer before anyone reads.
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.close();
    expect(await collect(stream.messages)).toEqual(["late:a", "late:b", "late:c"]);

    const closedFirst = openReplyStream(nc);
    closedFirst.close();
    nc.publish("test.ask", "after-close", { reply: closedFirst.inbox });
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await collect(closedFirst.messages)).toEqual([]);
  });

  it("ends the streams still open when the connection closes", async () => {
    const own = await connectNats({ url: server.url, name: "mux-closing" });
    const stream = openReplyStream(own);
    const ended = collect(stream.messages);
    await own.close();
    await expect(ended).resolves.toEqual([]);
  });
});
