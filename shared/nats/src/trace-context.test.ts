import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Svcm, type Service } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/nats-core";
import { CollectionNotFoundError } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { requestJson } from "./request.js";
import { serveEndpoint } from "./serve-endpoint.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("trace context across NATS", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let server: TestNatsServer;
  let nc: NatsConnection;
  let service: Service;
  // The span active when each outcome is observed: its trace id becomes the endpoint histogram's exemplar.
  const observed: { code: string; spanId: string | undefined }[] = [];

  beforeAll(async () => {
    provider.register();
    server = await startNatsServer({ jetstream: false });
    nc = await connectNats({ url: server.url, name: "trace-test" });
    service = await new Svcm(nc).add({ name: "traced", version: "0.0.1" });
    serveEndpoint(service, {
      name: "echo",
      subject: "t.traced",
      log: quiet,
      request: z.object({ fail: z.boolean() }),
      observe: ({ code }) => observed.push({ code, spanId: trace.getActiveSpan()?.spanContext().spanId }),
      handle: async (req) => {
        if (req.fail) throw new CollectionNotFoundError("x");
        return { ok: true };
      },
    });
  });
  afterAll(async () => {
    await service?.stop();
    await nc?.close();
    await server?.stop();
    await provider.shutdown();
    trace.disable();
  });

  it("makes the responder's process span a child of the caller's send span, in one trace", async () => {
    exporter.reset();
    await requestJson(nc, "t.traced", { fail: false }, { response: z.object({ ok: z.boolean() }), timeoutMs: 2_000 });
    const spans = exporter.getFinishedSpans();
    const send = spans.find((s) => s.name === "send t.traced");
    const processSpan = spans.find((s) => s.name === "process t.traced");
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(processSpan?.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(processSpan?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(processSpan?.attributes).toMatchObject({ "messaging.system": "nats", "messaging.destination.name": "t.traced" });
    // Sizes, not texts: both sides see the body's bytes.
    const bytes = JSON.stringify({ fail: false }).length;
    expect(send?.attributes["messaging.message.body.size"]).toBe(bytes);
    expect(processSpan?.attributes["messaging.message.body.size"]).toBe(bytes);
    expect(observed.at(-1)).toEqual({ code: "OK", spanId: processSpan?.spanContext().spanId });
  });

  it("marks both spans failed with the error code", async () => {
    exporter.reset();
    await expect(requestJson(nc, "t.traced", { fail: true }, { response: z.object({ ok: z.boolean() }), timeoutMs: 2_000 })).rejects.toThrow();
    const failed = exporter.getFinishedSpans().filter((s) => s.attributes["error.type"] === "COLLECTION_NOT_FOUND");
    expect(failed.map((s) => s.name).sort()).toEqual(["process t.traced", "send t.traced"]);
  });
});
