import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Svcm, type Service } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/nats-core";
import { CollectionNotFoundError, TimeoutError, UnavailableError, BadRequestError, InternalError, GenerationError } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { requestJson, requestStream } from "./request.js";
import { serveEndpoint, serveStreamEndpoint, type Outcome } from "./serve-endpoint.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const Echo = z.object({ text: z.string().min(1), fail: z.enum(["none", "notfound", "crash", "multiline"]).default("none") });
const Reply = z.object({ echoed: z.string() });
const Part = z.object({ n: z.number(), last: z.boolean() });
// An LLM provider's error text: CR/LF are refused in a NATS header value.
const MULTILINE = "provider answered 400:\r\n{\n  \"error\": \"context too long\"\n}";

describe("serveEndpoint / requestJson / requestStream over a real nats-server", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let service: Service;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    nc = await connectNats({ url: server.url, name: "test" });
    service = await new Svcm(nc).add({ name: "echo", version: "0.0.1" });
    serveEndpoint(service, {
      name: "echo",
      subject: "t.echo",
      log: quiet,
      request: Echo,
      observe: (o) => outcomes.push(o),
      handle: async (req) => {
        await new Promise((r) => setTimeout(r, 1));
        if (req.fail === "notfound") throw new CollectionNotFoundError("nope");
        if (req.fail === "crash") throw new Error("secret path /etc/x");
        if (req.fail === "multiline") throw new GenerationError(MULTILINE, false);
        return { echoed: req.text };
      },
    });
    serveStreamEndpoint(service, {
      name: "count",
      subject: "t.count",
      log: quiet,
      request: z.object({ upTo: z.number().int() }),
      handle: async (req, send) => {
        for (let n = 1; n <= req.upTo; n++) {
          await new Promise((r) => setImmediate(r));
          send({ n, last: n === req.upTo });
        }
        if (req.upTo === 0) await new Promise((r) => setTimeout(r, 5_000));
        if (req.upTo < 0) throw new GenerationError(MULTILINE, false);
      },
    });
  });
  afterAll(async () => {
    await service?.stop();
    await nc?.close();
    await server?.stop();
  });

  it("replies with the handler's value", async () => {
    await expect(requestJson(nc, "t.echo", { text: "hi" }, { response: Reply, timeoutMs: 2_000 })).resolves.toEqual({ echoed: "hi" });
    expect(outcomes.at(-1)).toMatchObject({ endpoint: "echo", code: "OK" });
  });

  it("turns a schema failure into BAD_REQUEST naming the field", async () => {
    const err = await requestJson(nc, "t.echo", { text: "" }, { response: Reply, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).field).toBe("text");
  });

  it("turns malformed JSON into BAD_REQUEST", async () => {
    const msg = await nc.request("t.echo", "{not json", { timeout: 2_000 });
    expect(msg.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect(JSON.parse(msg.string())).toMatchObject({ error: { code: "BAD_REQUEST", retryable: false } });
  });

  it("rebuilds the error class of a typed error", async () => {
    const err = await requestJson(nc, "t.echo", { text: "x", fail: "notfound" }, { response: Reply, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectionNotFoundError);
    expect((err as Error).message).toBe("collection 'nope' not found");
  });

  it("sends an unknown error as INTERNAL without its text", async () => {
    const err = await requestJson(nc, "t.echo", { text: "x", fail: "crash" }, { response: Reply, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect((err as Error).message).not.toContain("secret");
  });

  it("delivers an error whose message holds CR/LF at once, as its class with the whole text", async () => {
    const started = Date.now();
    const err = await requestJson(nc, "t.echo", { text: "x", fail: "multiline" }, { response: Reply, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as Error).message).toBe(MULTILINE);
    expect(outcomes.at(-1)).toMatchObject({ endpoint: "echo", code: "GENERATION_FAILED" });

    const raw = await nc.request("t.echo", JSON.stringify({ text: "x", fail: "multiline" }), { timeout: 2_000 });
    expect(raw.headers?.get("Nats-Service-Error")).toBe('provider answered 400: { "error": "context too long" }');
    expect(raw.headers?.get("Nats-Service-Error-Code")).toBe("502");
  });

  it("ends a stream with an error whose message holds CR/LF at once, with the whole text", async () => {
    const started = Date.now();
    const stream = requestStream(nc, "t.count", { upTo: -1 }, { message: Part, isLast: (p) => p.last, timeoutMs: 5_000, idleTimeoutMs: 4_000 });
    const err = await stream.next().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(GenerationError);
    expect((err as Error).message).toBe(MULTILINE);
  });

  it("reports no responders as UNAVAILABLE", async () => {
    await expect(requestJson(nc, "t.nobody", {}, { response: Reply, timeoutMs: 2_000 })).rejects.toBeInstanceOf(UnavailableError);
    const stream = requestStream(nc, "t.nobody", {}, { message: Part, isLast: (p) => p.last, timeoutMs: 2_000, idleTimeoutMs: 1_000 });
    await expect(stream.next()).rejects.toBeInstanceOf(UnavailableError);
  });

  it("streams every message in order and stops at the last", async () => {
    const got: number[] = [];
    for await (const part of requestStream(nc, "t.count", { upTo: 50 }, { message: Part, isLast: (p) => p.last, timeoutMs: 5_000, idleTimeoutMs: 1_000 })) {
      got.push(part.n);
    }
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("ends a silent stream with TIMEOUT after the idle gap", async () => {
    const stream = requestStream(nc, "t.count", { upTo: 0 }, { message: Part, isLast: (p) => p.last, timeoutMs: 5_000, idleTimeoutMs: 200 });
    const started = Date.now();
    await expect(stream.next()).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("connectNats", () => {
  it("gives up with UNAVAILABLE when nothing listens, within its budget", async () => {
    const { freePort } = await import("@kbalign/testing");
    const port = await freePort();
    const started = Date.now();
    await expect(connectNats({ url: `nats://127.0.0.1:${port}`, name: "t", connectTimeoutMs: 600 })).rejects.toBeInstanceOf(UnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("connects to a server that starts after the first attempt", async () => {
    const { freePort } = await import("@kbalign/testing");
    const port = await freePort();
    const connecting = connectNats({ url: `nats://127.0.0.1:${port}`, name: "t", connectTimeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    const late = await startNatsServer({ jetstream: false, port });
    const nc = await connecting;
    expect(nc.isClosed()).toBe(false);
    await nc.close();
    await late.stop();
  });
});
