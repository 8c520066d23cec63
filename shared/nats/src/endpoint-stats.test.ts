import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Svcm, type Service } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/nats-core";
import { CollectionNotFoundError } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { decodeJson, encodeJson } from "./json.js";
import { serveEndpoint } from "./serve-endpoint.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const SLOW_MS = 50;
const NANOS_PER_MS = 1e6;
const Req = z.object({ fail: z.boolean().default(false) });

const EndpointStats = z.object({
  name: z.string(),
  num_requests: z.number(),
  num_errors: z.number(),
  processing_time: z.number(),
  average_processing_time: z.number(),
  last_error: z.string().optional(),
});
const Stats = z.object({ endpoints: z.array(EndpointStats) });

describe("$SRV.STATS of an async endpoint (what `nats micro stats` shows), over a real nats-server", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let service: Service;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    nc = await connectNats({ url: server.url, name: "test" });
    service = await new Svcm(nc).add({ name: "stats-probe", version: "0.0.1" });
    serveEndpoint(service, {
      name: "slow",
      subject: "t.slow",
      log: quiet,
      request: Req,
      handle: async () => {
        await new Promise((r) => setTimeout(r, SLOW_MS));
        return { ok: true };
      },
    });
    serveEndpoint(service, {
      name: "failing",
      subject: "t.failing",
      log: quiet,
      request: Req,
      handle: async (req) => {
        await new Promise((r) => setTimeout(r, 1));
        if (req.fail) throw new CollectionNotFoundError("nope");
        return { ok: true };
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    await service?.stop();
    await nc?.close();
    await server?.stop();
  });

  const stats = async (endpoint: string) => {
    const reply = await nc.request("$SRV.STATS.stats-probe", "", { timeout: 2_000 });
    const found = Stats.parse(decodeJson(reply.data)).endpoints.find((e) => e.name === endpoint);
    if (!found) throw new Error(`no stats for ${endpoint}`);
    return found;
  };

  it("times the whole async handling: a 50 ms handler shows at least 50 ms, total and average", async () => {
    for (let i = 0; i < 3; i++) await nc.request("t.slow", encodeJson({}), { timeout: 2_000 });
    const slow = await stats("slow");
    expect(slow.num_requests).toBe(3);
    expect(slow.processing_time).toBeGreaterThanOrEqual(3 * SLOW_MS * NANOS_PER_MS);
    expect(slow.average_processing_time).toBeGreaterThanOrEqual(SLOW_MS * NANOS_PER_MS);
    expect(slow.num_errors).toBe(0);
  });

  it("counts the errors thrown after an await, with the last one's code and message", async () => {
    await nc.request("t.failing", encodeJson({ fail: false }), { timeout: 2_000 });
    await nc.request("t.failing", encodeJson({ fail: true }), { timeout: 2_000 });
    await nc.request("t.failing", encodeJson({ fail: true }), { timeout: 2_000 });
    const failing = await stats("failing");
    expect(failing.num_requests).toBe(3);
    expect(failing.num_errors).toBe(2);
    expect(failing.last_error).toBe("COLLECTION_NOT_FOUND: collection 'nope' not found");
  });

  it("counts a request the endpoint rejects as malformed as an error too", async () => {
    await nc.request("t.failing", encodeJson({ fail: "yes" }), { timeout: 2_000 });
    const failing = await stats("failing");
    expect(failing.num_errors).toBe(3);
    expect(failing.last_error).toMatch(/^BAD_REQUEST: /);
  });
});
