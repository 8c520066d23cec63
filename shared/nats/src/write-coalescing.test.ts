import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { coalesceWrites } from "./write-coalescing.js";

/** Counts the socket writes of a connection (its transport's `send` calls). */
function countWrites(nc: NatsConnection): { count: () => number } {
  const protocol = Reflect.get(nc, "protocol") as { transport: { send(frame: Uint8Array): void } };
  const transport = protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (frame) => {
    writes++;
    send(frame);
  };
  return { count: () => writes };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("coalesceWrites over a real nats-server", () => {
  let server: TestNatsServer;
  let listener: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    listener = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await listener.close();
    await server.stop();
  });

  async function receive(subject: string, count: number): Promise<{ got: Promise<string[]> }> {
    const sub = listener.subscribe(subject, { max: count });
    await listener.flush();
    return {
      got: (async () => {
        const texts: string[] = [];
        for await (const m of sub) texts.push(m.string());
        return texts;
      })(),
    };
  }

  it("sends the publishes of one turn, across awaits, in one write and in order", async () => {
    const nc = await connectNats({ url: server.url, name: "coalesce" });
    const { got } = await receive("t.coalesce", 3);
    const writes = countWrites(nc);
    nc.publish("t.coalesce", "a");
    await Promise.resolve();
    nc.publish("t.coalesce", "b");
    await Promise.resolve();
    nc.publish("t.coalesce", "c");
    expect(writes.count()).toBe(0);
    await nextTurn();
    expect(writes.count()).toBe(1);
    expect(await got).toEqual(["a", "b", "c"]);
    await nc.close();
  });

  it("without it, nats-core writes once per chain of promise callbacks (what coalescing saves)", async () => {
    const nc = await connect({ servers: server.url });
    const { got } = await receive("t.plain", 3);
    const writes = countWrites(nc);
    nc.publish("t.plain", "a");
    await Promise.resolve();
    nc.publish("t.plain", "b");
    await Promise.resolve();
    nc.publish("t.plain", "c");
    await nextTurn();
    expect(writes.count()).toBe(3);
    expect(await got).toEqual(["a", "b", "c"]);
    await nc.close();
  });

  it("writes what is queued before closing", async () => {
    const nc = await connect({ servers: server.url });
    expect(coalesceWrites(nc)).toBe(true);
    const { got } = await receive("t.close", 1);
    nc.publish("t.close", "last words");
    await nc.close();
    expect(await got).toEqual(["last words"]);
  });

  it("a buffer over the pending limit is written at once", async () => {
    const nc = await connectNats({ url: server.url, name: "coalesce-big" });
    const { got } = await receive("t.big", 2);
    const writes = countWrites(nc);
    const big = new Uint8Array(64 * 1024).fill(65);
    nc.publish("t.big", big);
    nc.publish("t.big", big);
    expect(writes.count()).toBeGreaterThan(0);
    expect((await got).map((t) => t.length)).toEqual([big.length, big.length]);
    await nc.close();
  });
});
