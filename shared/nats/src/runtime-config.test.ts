import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { CONFIG_BUCKET, CONFIG_HISTORY } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { openConfigBucket } from "./runtime-config.js";

describe("openConfigBucket over a real nats-server (one server, not a cluster)", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "test" });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("asks JetStream for the replicas it is given, which a single server refuses", async () => {
    await expect(openConfigBucket(nc, { replicas: 3 })).rejects.toThrow(/replicas/i);
  });

  it("creates the bucket with history and one replica by default", async () => {
    await openConfigBucket(nc);
    const { config } = await (await jetstreamManager(nc)).streams.info(`KV_${CONFIG_BUCKET}`);
    expect(config).toMatchObject({ num_replicas: 1, max_msgs_per_subject: CONFIG_HISTORY });
  });
});
