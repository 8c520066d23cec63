import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { KB_STREAM } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { ensureKbStream } from "./kb-stream.js";

describe("ensureKbStream over a real nats-server (one server, not a cluster)", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "test" });
  });
  afterEach(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(KB_STREAM).catch((err: unknown) => {
      if (!(err instanceof Error && /not found/i.test(err.message))) throw err;
    });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("creates the stream with one replica by default, keeping the latest message of each document", async () => {
    const jsm = await ensureKbStream(nc);
    const { config } = await jsm.streams.info(KB_STREAM);
    expect(config).toMatchObject({ num_replicas: 1, max_msgs_per_subject: 1 });
  });

  it("asks JetStream for the replicas it is given, which a single server refuses", async () => {
    await expect(ensureKbStream(nc, { replicas: 3 })).rejects.toThrow(/replicas/i);
  });

  it("leaves an existing stream as it is, whatever replicas are asked for", async () => {
    await ensureKbStream(nc, { replicas: 1 });
    const jsm = await ensureKbStream(nc, { replicas: 3 });
    expect((await jsm.streams.info(KB_STREAM)).config.num_replicas).toBe(1);
  });
});
