import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { ErrorEnvelope, GenerateReply, type GenerateRequest, type StageEvent, type WireError } from "@kbalign/contracts";
import { englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { startNode, type TestProcess } from "./support/child-process.js";
import { SLOW_MARKER, startFakeLlm, type FakeLlm } from "./support/fake-llm.js";
import { assertBuilt, SERVICE_NAMES, serviceMain, SERVICES, type ServiceKey } from "./support/paths.js";
import { ingestCorpus, untilRecalled, waitForServices } from "./support/stack-setup.js";
import { ask, cancel } from "./support/query-client.js";
import { until } from "./support/until.js";
import { opsPort, serviceEnv } from "./support/service-process.js";

// SIGTERM to a real orchestrator process with requests in flight, and with NATS gone: readiness
// first, nothing new taken, work in flight finished or ended with a retryable UNAVAILABLE, cancels
// honoured to the end, and an exit within the deadline whatever hangs.

const GRACE_MS = 4_000;
const MARGIN_MS = 3_000;
const GENERATOR_GRACE_MS = 2_000;
/** Time a loaded 2-core machine may add to a deadline: process start-up is not part of it. */
const SLACK_MS = 1_500;


/**
 * Sends one GenerateRequest straight to the generator and collects its stream: chunks until `end`,
 * or the error envelope (services-framework headers) that ended it.
 */
async function generateStream(nc: NatsConnection, req: GenerateRequest, timeoutMs: number): Promise<{ replies: GenerateReply[]; error?: WireError }> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);
  const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
  const replies: GenerateReply[] = [];
  try {
    nc.publish("kbalign.v1.generate", JSON.stringify(req), { reply: inbox });
    for await (const msg of sub) {
      if (msg.headers?.has("Nats-Service-Error-Code")) return { replies, error: ErrorEnvelope.parse(JSON.parse(msg.string())).error };
      const reply = GenerateReply.parse(JSON.parse(msg.string()));
      replies.push(reply);
      if (reply.type === "end") return { replies };
    }
    throw new Error(`generate stream did not end within ${timeoutMs} ms (${replies.length} replies)`);
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}

async function readyzStatus(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  await res.arrayBuffer();
  return res.status;
}

describe("shutdown on SIGTERM with work in flight: real processes", () => {
  let nats: TestNatsServer;
  let llm: FakeLlm;
  let nc: NatsConnection;
  let workDir: string;
  const services = new Map<ServiceKey, TestProcess>();
  const explain = () => [...services.values()].map((s) => `--- ${s.name} stdout:\n${s.stdout().slice(-3_000)}\n--- ${s.name} stderr:\n${s.stderr().slice(-2_000)}`).join("\n");
  const question = (query: string, requestId: string) => ({ query, collection: "shutdown", topn: 3, requestId, timeoutMs: 60_000 });

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-shutdown-"));
    // Every LLM call waits 1 s: an ordinary question takes ~2 s (first answer, final answer),
    // one with SLOW_MARKER ~20 s more (it streams slowly).
    llm = await startFakeLlm({ delayMs: 1_000 });
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    for (const key of SERVICES) {
      const extra: NodeJS.ProcessEnv =
        key === "generator"
          ? { KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: llm.baseUrl, KBALIGN_LLM_MODEL: "e2e-model", KBALIGN_SHUTDOWN_GRACE_MS: String(GENERATOR_GRACE_MS), KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: String(MARGIN_MS) }
          : key === "orchestrator"
            ? // The slow first answer must outlast the grace period rather than be skipped.
              { KBALIGN_SHUTDOWN_GRACE_MS: String(GRACE_MS), KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: String(MARGIN_MS), KBALIGN_FIRST_ANSWER_TIMEOUT_MS: "60000" }
            : {};
      services.set(key, startNode(key, serviceMain(key), [], serviceEnv(nats.url, `shutdown-${key}`, extra)));
    }
    await waitForServices(nc, explain);
    const ingest = await ingestCorpus(nats.url, workDir, "shutdown", englishCorpus);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    await untilRecalled(nc, () => question("What causes ocean tides?", `warm-${Date.now()}`), { timeoutMs: 30_000, ask: { timeoutMs: 10_000 } });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all([...services.values()].map((s) => s.stop()));
    await nats?.stop();
    await llm?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("flips /readyz to 503 at once, hands new queries off (no responders with no other replica), honours a cancel, finishes what it can, ends the rest UNAVAILABLE, exits 0 within grace + margin", async () => {
    const orchestrator = services.get("orchestrator")!;
    const port = await opsPort(orchestrator);
    expect(await readyzStatus(port)).toBe(200);

    const seen = new Map<string, StageEvent[]>();
    const track = (requestId: string) => (event: StageEvent) => seen.set(requestId, [...(seen.get(requestId) ?? []), event]);
    const finishes = ask(nc, question("What causes ocean tides?", "finishes"), { timeoutMs: 30_000, onEvent: track("finishes") });
    const leftover = ask(nc, question(`How do bees communicate? ${SLOW_MARKER}`, "leftover"), { timeoutMs: 30_000, onEvent: track("leftover") });
    const cancelled = ask(nc, question(`How do bees communicate? ${SLOW_MARKER}`, "cancelled"), { timeoutMs: 30_000, onEvent: track("cancelled") });
    // All three are in flight (recalled, waiting for the LLM).
    await until("three requests in flight", async () => (["finishes", "leftover", "cancelled"].every((id) => seen.get(id)?.some((e) => e.state === "recall")) ? true : undefined), 10_000, 20);

    const signalled = Date.now();
    orchestrator.child.kill("SIGTERM");
    const exited = orchestrator.exited.then((result) => ({ ...result, afterMs: Date.now() - signalled }));
    const readyz = await until("/readyz answers 503", async () => ((await readyzStatus(port)) === 503 ? Date.now() - signalled : undefined), 1_000, 10);

    const refusedAt = Date.now();
    // Its service stopped at once: with no other replica, nobody takes the query (the client hears so at once).
    const refused = await ask(nc, question("What causes ocean tides?", "late"), { timeoutMs: 5_000 }).then(
      () => "answered",
      (err: Error) => err.message,
    );
    const refusedMs = Date.now() - refusedAt;
    cancel(nc, "cancelled");

    const [finishedEvents, leftoverEvents, cancelledEvents] = await Promise.all([finishes, leftover, cancelled]);
    const { code, afterMs } = await exited;
    console.log(`shutdown timings: /readyz 503 after ${readyz} ms; new query refused in ${refusedMs} ms; exit ${code} after ${afterMs} ms (grace ${GRACE_MS} ms)`);

    expect(refused).toMatch(/no responders on kbalign\.v1\.query/);
    expect(refusedMs).toBeLessThan(1_000);
    expect(finishedEvents.at(-1), explain()).toMatchObject({ state: "done" });
    expect(cancelledEvents.at(-1), explain()).toMatchObject({ state: "error", code: "CANCELLED" });
    expect(leftoverEvents.at(-1), explain()).toMatchObject({ state: "error", code: "UNAVAILABLE", retryable: true, value: "orchestrator is shutting down, retry" });
    for (const events of [finishedEvents, leftoverEvents, cancelledEvents]) expect(events.filter((e) => e.state === "done" || e.state === "error")).toHaveLength(1);
    expect(code, explain()).toBe(0);
    expect(afterMs).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(afterMs).toBeLessThan(GRACE_MS + MARGIN_MS);
    expect(orchestrator.stdout()).toMatch(/"msg":"ended requests still running after the grace period with UNAVAILABLE"/);
  }, 60_000);

  // After the orchestrator's test: the generator and the retriever are still running.
  it("generator: /readyz 503 at once, a stream that finishes in the grace ends normally, one that cannot ends UNAVAILABLE retryable, exit 0 within grace + margin", async () => {
    const generator = services.get("generator")!;
    const port = await opsPort(generator);
    expect(await readyzStatus(port)).toBe(200);
    const request = (streamId: string, query: string): GenerateRequest => ({
      streamId,
      purpose: "final_answer",
      query,
      messages: [],
      documents: englishCorpus.slice(0, 2).map((d, i) => ({ id: d.id, score: 2 - i, title: d.title, text: d.text })),
      deadline: Date.now() + 60_000,
    });
    const finishes = generateStream(nc, request("gen-finishes", "What causes ocean tides? genfinishes"), 30_000);
    const leftover = generateStream(nc, request("gen-leftover", `How do bees communicate? genleftover ${SLOW_MARKER}`), 30_000);
    // Both LLM calls are under way (the fake LLM answers each after 1 s).
    const called = (tag: string) => llm.requests.some((r) => r.text.includes(tag));
    await until("both LLM calls under way", async () => (called("genfinishes") && called("genleftover") ? true : undefined), 10_000, 20);

    const signalled = Date.now();
    generator.child.kill("SIGTERM");
    const exited = generator.exited.then((result) => ({ ...result, afterMs: Date.now() - signalled }));
    const readyz = await until("/readyz answers 503", async () => ((await readyzStatus(port)) === 503 ? Date.now() - signalled : undefined), 1_000, 10);
    const [finished, ended] = await Promise.all([finishes, leftover]);
    const { code, afterMs } = await exited;
    console.log(`generator shutdown: /readyz 503 after ${readyz} ms; exit ${code} after ${afterMs} ms (grace ${GENERATOR_GRACE_MS} ms)`);

    expect(finished.error, explain()).toBeUndefined();
    expect(finished.replies.at(-1)).toMatchObject({ type: "end", finishReason: "stop" });
    expect(ended.error, explain()).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(ended.replies.length).toBeGreaterThan(0);
    expect(code, explain()).toBe(0);
    expect(afterMs).toBeGreaterThanOrEqual(GENERATOR_GRACE_MS - 100);
    expect(afterMs).toBeLessThan(GENERATOR_GRACE_MS + MARGIN_MS);
  }, 60_000);

  it("retriever: /readyz 503 at once and exit 0 well within the margin", async () => {
    const retriever = services.get("retriever")!;
    const port = await opsPort(retriever);
    expect(await readyzStatus(port)).toBe(200);
    const signalled = Date.now();
    retriever.child.kill("SIGTERM");
    let gone = false;
    const exited = retriever.exited.then((result) => {
      gone = true;
      return { ...result, afterMs: Date.now() - signalled };
    });
    // With nothing in flight the retriever is gone within some 25 ms, often before a poll can see
    // its 503: either is a correct end (readiness-first itself is asserted above, where work is in
    // flight, on the same shared shutdown code). What must not happen is a 200.
    const readyz = await until(
      "/readyz answers 503, or the retriever has exited",
      async () => {
        try {
          const status = await readyzStatus(port);
          if (status === 200) throw new Error("/readyz still answers 200 after SIGTERM");
          return status === 503 ? `503 after ${Date.now() - signalled} ms` : undefined;
        } catch (err) {
          if (gone) return "the process had exited first";
          throw err;
        }
      },
      1_000,
      5,
    );
    const { code, afterMs } = await exited;
    console.log(`retriever shutdown: /readyz ${readyz}; exit ${code} after ${afterMs} ms`);
    expect(code, explain()).toBe(0);
    expect(afterMs).toBeLessThan(MARGIN_MS);
  }, 30_000);
});

describe("orchestrator shutdown with NATS gone or frozen: real processes", () => {
  const grace = 1_000;
  const margin = 2_000;

  /** A NATS server of its own and an orchestrator on it, with a short grace and margin. */
  async function loneOrchestrator(): Promise<{ nats: TestNatsServer; orchestrator: TestProcess }> {
    assertBuilt();
    const nats = await startNatsServer({ jetstream: false });
    const orchestrator = startNode(
      "orchestrator",
      serviceMain("orchestrator"),
      [],
      serviceEnv(nats.url, "shutdown-orchestrator", { KBALIGN_SHUTDOWN_GRACE_MS: String(grace), KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: String(margin) }),
    );
    return { nats, orchestrator };
  }

  /** Sends SIGTERM; resolves with the exit code and how long after the signal it came. */
  async function sigterm(service: TestProcess): Promise<{ code: number | null; afterMs: number }> {
    const signalled = Date.now();
    service.child.kill("SIGTERM");
    const { code } = await service.exited;
    return { code, afterMs: Date.now() - signalled };
  }

  it("exits within the hard deadline (grace + margin) after nats-server was killed with SIGKILL", async () => {
    const { nats, orchestrator } = await loneOrchestrator();
    try {
      await opsPort(orchestrator);
      nats.process.kill("SIGKILL");
      await orchestrator.waitForStdout(/disconnect/i, 10_000).catch(() => undefined);

      const { code, afterMs } = await sigterm(orchestrator);
      console.log(`shutdown with NATS killed: exit ${code} after ${afterMs} ms (hard deadline ${grace + margin} ms)`);

      expect(code, orchestrator.stdout()).not.toBeNull();
      expect(afterMs, orchestrator.stdout()).toBeLessThan(grace + margin + SLACK_MS);
    } finally {
      await orchestrator.stop(1_000);
      await nats.stop();
    }
  }, 30_000);

  it("exits 1 at the hard deadline when nats-server is frozen (SIGSTOP) and unsubscribing hangs", async () => {
    const { nats, orchestrator } = await loneOrchestrator();
    try {
      await opsPort(orchestrator);
      // The TCP connection stays up but nothing answers: a drain waits for a server that never replies.
      nats.process.kill("SIGSTOP");
      // A stop signal takes effect asynchronously: let the server really freeze first.
      await new Promise((resolve) => setTimeout(resolve, 500));

      const { code, afterMs } = await sigterm(orchestrator);
      console.log(`shutdown with NATS frozen: exit ${code} after ${afterMs} ms (hard deadline ${grace + margin} ms)`);

      expect(code, orchestrator.stdout()).toBe(1);
      expect(afterMs).toBeGreaterThanOrEqual(grace + margin - 100);
      expect(afterMs).toBeLessThan(grace + margin + SLACK_MS);
      expect(orchestrator.stdout()).toMatch(/"msg":"shutdown did not finish before its hard deadline; exiting"/);
    } finally {
      nats.process.kill("SIGCONT");
      await orchestrator.stop(1_000);
      await nats.stop();
    }
  }, 30_000);
});
