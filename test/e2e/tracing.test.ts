import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { startNode, type TestProcess } from "./support/child-process.js";
import { startFakeLlm, type FakeLlm } from "./support/fake-llm.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";
import { assertBuilt, SERVICE_NAMES, serviceMain, SERVICES, type ServiceKey } from "./support/paths.js";
import { ingestCorpus, untilRecalled, waitForServices } from "./support/stack-setup.js";
import { ask } from "./support/query-client.js";
import { until } from "./support/until.js";

// One question = one trace, across three real processes: each service runs behind the tracing
// preload (as `kbalign up` runs it) and exports OTLP/JSON to a receiver started here.

const PRELOAD = import.meta.resolve("@kbalign/telemetry/preload");
const STAGES = ["recall", "first_answer", "query_expansion_recall", "final_answer"] as const;
const QUESTION = "What causes ocean tides along the harbour?";
const KIND = { internal: 1, producer: 4, consumer: 5 } as const;

describe("tracing: one question, one trace across the three services", () => {
  let nats: TestNatsServer;
  let llm: FakeLlm;
  let receiver: OtlpReceiver;
  let nc: NatsConnection;
  let workDir: string;
  const services = new Map<ServiceKey, TestProcess>();
  const explain = () => [...services.values()].map((s) => `--- ${s.name} stderr:\n${s.stderr().slice(-2_000)}`).join("\n");

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-trace-"));
    [llm, receiver, nats] = await Promise.all([startFakeLlm(), startOtlpReceiver(), startNatsServer()]);
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    for (const key of SERVICES) {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NATS_URL: nats.url,
        KBALIGN_HTTP_PORT: "0",
        KBALIGN_LOG_LEVEL: key === "generator" ? "debug" : "warn",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "50",
        OTEL_SERVICE_NAME: undefined, // derived by the preload from the service's package
        OTEL_SDK_DISABLED: undefined,
        ...(key === "generator" ? { KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: llm.baseUrl, KBALIGN_LLM_MODEL: "e2e-model" } : {}),
      };
      services.set(key, startNode(key, serviceMain(key), [], env, ["--import", PRELOAD]));
    }
    await waitForServices(nc, explain);
    const ingest = await ingestCorpus(nats.url, workDir, "trace", englishCorpus);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    await untilRecalled(nc, () => ({ query: "ocean tides", collection: "trace", topn: 2 }));
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all([...services.values()].map((s) => s.stop()));
    await nats?.stop();
    await llm?.close();
    await receiver?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("continues the client's trace: process query → a span per stage → send → process in the retriever and generator", async () => {
    const traceId = randomBytes(16).toString("hex");
    const clientSpanId = randomBytes(8).toString("hex");
    const h = headers();
    h.set("traceparent", `00-${traceId}-${clientSpanId}-01`);
    const requestId = `trace-${randomBytes(4).toString("hex")}`;
    const events = await ask(nc, { query: QUESTION, collection: "trace", topn: 2, requestId }, { headers: h });
    expect(events.at(-1)?.state).toBe("done");

    // 1 query + 4 stages + 4 sends + 4 processes; batches arrive every 50 ms from each process.
    const trace = await until(
      "the query's spans reached the receiver",
      async () => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        const expected = spans.filter((s) => /^(process|send) kbalign\.v1\./.test(s.name) || (STAGES as readonly string[]).includes(s.name));
        return expected.length >= 13 ? spans : undefined;
      },
      10_000,
    );
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const childrenOf = (span: ReceivedSpan) => trace.filter((s) => s.parentSpanId === span.spanId);
    const describeTree = (span: ReceivedSpan, depth = 0): string[] => [
      `${"  ".repeat(depth)}${span.name} [${span.service}]`,
      ...childrenOf(span).flatMap((child) => describeTree(child, depth + 1)),
    ];

    // The whole trace hangs under the client's span; every span's parent is in the trace.
    const roots = trace.filter((s) => s.parentSpanId === clientSpanId);
    expect(roots.map((s) => [s.name, s.service, s.kind])).toEqual([["process kbalign.v1.query", "kbalign-orchestrator", KIND.consumer]]);
    const root = roots[0]!;
    console.log(`spans of one query as exported:\n${describeTree(root).join("\n")}`);
    for (const span of trace) if (span !== root) expect(byId.has(span.parentSpanId), `${span.name} has its parent in the trace`).toBe(true);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(Object.values(SERVICE_NAMES)));

    const stageSpans = childrenOf(root).filter((s) => s.kind === KIND.internal);
    expect(stageSpans.map((s) => s.name).sort()).toEqual([...STAGES].sort());
    for (const stage of stageSpans) {
      expect(stage.attributes).toMatchObject({ "kbalign.stage": stage.name, "kbalign.request.id": requestId });
      expect(stage.statusCode).not.toBe(2);
      const target = stage.name.endsWith("recall") ? "retrieve" : "generate";
      const sends = childrenOf(stage).filter((s) => s.name === `send kbalign.v1.${target}`);
      expect(sends, `the send span under ${stage.name}`).toHaveLength(1);
      const send = sends[0]!;
      expect([send.service, send.kind]).toEqual(["kbalign-orchestrator", KIND.producer]);
      expect(send.attributes).toMatchObject({ "messaging.system": "nats", "messaging.operation.type": "send" });
      // Sent to the replica the orchestrator chose, on its own subject (the span named after the
      // shared one), or to the queue group while no replica is listed yet.
      const destination = String(send.attributes["messaging.destination.name"]);
      expect(destination).toMatch(new RegExp(`^kbalign\\.v1\\.${target}(\\.instance\\.\\w+)?$`));
      if (destination !== `kbalign.v1.${target}`) expect(send.attributes["messaging.destination.template"]).toBe(`kbalign.v1.${target}.instance.{id}`);
      const processes = childrenOf(send).filter((s) => s.name === `process kbalign.v1.${target}`);
      expect(processes.map((s) => [s.service, s.kind])).toEqual([[target === "retrieve" ? "kbalign-retriever" : "kbalign-generator", KIND.consumer]]);
      expect(processes[0]!.attributes).toMatchObject({ "messaging.system": "nats", "messaging.operation.type": "process" });
    }

    // No user text: neither the question nor a piece of it, in any attribute or event of the trace.
    const exported = JSON.stringify(trace.map((s) => [s.name, s.attributes, s.events]));
    expect(exported).not.toContain(QUESTION);
    expect(exported).not.toContain("harbour");
  });

  it("writes the request's requestId, trace_id and span_id on the generator's log lines", async () => {
    const traceId = randomBytes(16).toString("hex");
    const h = headers();
    h.set("traceparent", `00-${traceId}-${randomBytes(8).toString("hex")}-01`);
    const requestId = `logs-${randomBytes(4).toString("hex")}`;
    await ask(nc, { query: QUESTION, collection: "trace", topn: 2, requestId }, { headers: h });
    const generator = services.get("generator")!;
    const line = await until(
      "the generator logged the generation",
      async () =>
        generator
          .stdout()
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((entry) => entry.msg === "generation finished" && entry.trace_id === traceId),
      10_000,
    );
    expect(line).toMatchObject({ requestId, trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const spans = await until(
      "the generator's spans reached the receiver",
      async () => {
        const found = receiver.spans.filter((s) => s.traceId === traceId && s.service === "kbalign-generator");
        return found.length >= 2 ? found : undefined;
      },
      10_000,
    );
    expect(spans.map((s) => s.spanId)).toContain(line.span_id);
  });
});
