import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { DoneEvent, StageEvent } from "@kbalign/contracts";
import { englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { startNode, type TestProcess } from "./support/child-process.js";
import { startFakeLlm, type FakeLlm, type LlmMode } from "./support/fake-llm.js";
import { assertBuilt, SERVICE_NAMES, serviceMain, SERVICES, type ServiceKey } from "./support/paths.js";
import { ask } from "./support/query-client.js";
import { opsPort, readyzStatus, serviceEnv } from "./support/service-process.js";
import { ingestCorpus, untilRecalled } from "./support/stack-setup.js";
import { until } from "./support/until.js";

// Faults with real processes on a real nats-server: replicas killed with SIGKILL or stopped with
// SIGTERM under steady load, nats-server restarted, the LLM failing in every way it can, a retriever
// restarted over a large collection. Each case prints a `fault-report` line (success rate, worst
// latency) — the figures in docs/reliability.md; the assertions are the behaviour, never the speed.

const QUESTIONS = ["How do bees communicate?", "What causes ocean tides?", "Why is the sky blue?", "How do plants make food?"];
/** Queries per second of the steady load: arrivals do not wait for answers. */
const LOAD_RATE = 20;
const LOAD_MS = 5_000;
const FAULT_AT_MS = 1_500;

interface Outcome {
  startedAt: number;
  endedAt: number;
  latencyMs: number;
  /** "done", an error code, or "lost" (no terminal event within the client's patience). */
  end: string;
  retryable?: boolean;
  degraded: number;
}

interface LoadReport {
  sent: number;
  done: number;
  errors: Record<string, number>;
  lost: number;
  degraded: number;
  worstMs: number;
  medianMs: number;
  /** Queries started before the fault was over (e.g. the process gone) and not ended before it began. */
  inFlightAtFault: number;
  outcomes: Outcome[];
}

async function oneQuery(nc: NatsConnection, i: number, collection: string): Promise<Outcome> {
  const startedAt = Date.now();
  const started = performance.now();
  const ended = (end: string, extra: Partial<Outcome> = {}): Outcome => ({ startedAt, endedAt: Date.now(), latencyMs: performance.now() - started, end, degraded: 0, ...extra });
  try {
    const events: StageEvent[] = await ask(nc, { query: QUESTIONS[i % QUESTIONS.length], collection, timeoutMs: 5_000 }, { timeoutMs: 10_000 });
    const last = events.at(-1);
    if (last?.state === "done") return ended("done", { degraded: (last as DoneEvent).degraded.length });
    if (last?.state === "error") return ended(last.code, { retryable: last.retryable });
    return ended("lost");
  } catch {
    return ended("lost");
  }
}

const recallOf = (events: StageEvent[]) => events.find((e): e is Extract<StageEvent, { state: "recall" | "query_expansion_recall" }> => e.state === "recall");

/** Open-loop load at LOAD_RATE for LOAD_MS; `fault` runs at FAULT_AT_MS (its promise: until the fault is complete). */
async function underLoad(nc: NatsConnection, collection: string, name: string, fault: () => Promise<void> | void): Promise<LoadReport> {
  const all: Promise<Outcome>[] = [];
  const started = Date.now();
  let faulted: Promise<void> | undefined;
  let faultStartedAt = 0;
  let faultEndedAt = 0;
  for (let i = 0; Date.now() - started < LOAD_MS; i++) {
    const due = started + (i * 1_000) / LOAD_RATE;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (!faulted && Date.now() - started >= FAULT_AT_MS) {
      faultStartedAt = Date.now();
      faulted = Promise.resolve(fault()).then(() => {
        faultEndedAt = Date.now();
      });
    }
    all.push(oneQuery(nc, i, collection));
  }
  await faulted;
  const outcomes = await Promise.all(all);
  const inFlightAtFault = outcomes.filter((o) => o.startedAt <= faultEndedAt && (o.end === "lost" || o.endedAt >= faultStartedAt)).length;
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (o.end !== "done" && o.end !== "lost") errors[o.end] = (errors[o.end] ?? 0) + 1;
  const report: LoadReport = {
    sent: outcomes.length,
    done: outcomes.filter((o) => o.end === "done").length,
    errors,
    lost: outcomes.filter((o) => o.end === "lost").length,
    degraded: outcomes.filter((o) => o.degraded > 0).length,
    worstMs: Math.round(latencies.at(-1) ?? 0),
    medianMs: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0),
    inFlightAtFault,
    outcomes,
  };
  const { outcomes: _, ...summary } = report;
  console.log(`fault-report ${name}: ${JSON.stringify({ ...summary, answered: `${((100 * report.done) / report.sent).toFixed(1)}%` })}`);
  return report;
}

/** How many instances of a micro service answer a PING. */
async function instances(nc: NatsConnection, service: string): Promise<number> {
  let count = 0;
  for await (const _ of await nc.requestMany(`$SRV.PING.${service}`, "", { strategy: "stall", stall: 150, maxWait: 2_000 })) count++;
  return count;
}

async function untilInstances(nc: NatsConnection, key: ServiceKey, count: number): Promise<void> {
  await until(`${count} instance(s) of ${SERVICE_NAMES[key]}`, async () => ((await instances(nc, SERVICE_NAMES[key])) >= count ? true : undefined), 60_000, 200);
}

describe("faults under steady load: two replicas of every service", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let workDir: string;
  const procs = new Map<string, TestProcess>();
  const replicaEnv: Partial<Record<ServiceKey, NodeJS.ProcessEnv>> = {
    orchestrator: { KBALIGN_FIRST_CHUNK_TIMEOUT_MS: "1000", KBALIGN_SHUTDOWN_GRACE_MS: "2000", KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: "2000" },
    generator: { KBALIGN_SHUTDOWN_GRACE_MS: "2000", KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: "2000" },
  };
  const start = (key: ServiceKey, replica: number) => {
    const name = `${key}-${replica}`;
    procs.set(name, startNode(name, serviceMain(key), [], serviceEnv(nats.url, `faults-${name}`, replicaEnv[key] ?? {})));
  };
  const explain = () => [...procs.values()].map((p) => `--- ${p.name}: ${p.stderr().slice(-500)}`).join("\n");

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-faults-"));
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    for (const key of SERVICES) for (const replica of [1, 2]) start(key, replica);
    for (const key of SERVICES) await untilInstances(nc, key, 2).catch((err: Error) => Promise.reject(new Error(`${err.message}\n${explain()}`)));
    const ingest = await ingestCorpus(nats.url, workDir, "faults", englishCorpus);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    await untilRecalled(nc, () => ({ query: "What causes ocean tides?", collection: "faults" }), { timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all([...procs.values()].map((p) => p.stop()));
    await nats?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** Kills (or stops) one replica during the load, then starts it again and waits until it serves. */
  const faultOn = async (key: ServiceKey, signal: NodeJS.Signals) => {
    const name = `${key}-1`;
    const proc = procs.get(name)!;
    const report = await underLoad(nc, "faults", `${signal} ${name}`, async () => {
      proc.child.kill(signal);
      await proc.exited;
    });
    start(key, 1);
    await untilInstances(nc, key, 2);
    return report;
  };

  it("kill -9 of a retriever replica costs nothing: every query answered", async () => {
    const report = await faultOn("retriever", "SIGKILL");
    expect(report.lost).toBe(0);
    expect(report.done, JSON.stringify(report.errors)).toBe(report.sent);
  }, 60_000);

  it("kill -9 of a generator replica costs nothing: every query answered (degraded at worst)", async () => {
    const report = await faultOn("generator", "SIGKILL");
    expect(report.lost).toBe(0);
    expect(report.done, JSON.stringify(report.errors)).toBe(report.sent);
  }, 60_000);

  it("kill -9 of an orchestrator replica loses at most the queries it held; every other query answered", async () => {
    const report = await faultOn("orchestrator", "SIGKILL");
    expect(report.sent - report.done).toBeLessThanOrEqual(report.inFlightAtFault);
    expect(Object.keys(report.errors)).toEqual([]);
  }, 60_000);

  it("SIGTERM of an orchestrator replica under load: every query ends, answered or refused with a retryable UNAVAILABLE", async () => {
    const report = await faultOn("orchestrator", "SIGTERM");
    expect(report.lost).toBe(0);
    for (const o of report.outcomes) {
      if (o.end !== "done") expect(o).toMatchObject({ end: "UNAVAILABLE", retryable: true });
    }
  }, 60_000);

  it("nats-server restarted (JetStream on disk): every process reconnects by itself, reports not ready meanwhile, and no document is lost", async () => {
    const pids = new Map([...procs].map(([name, p]) => [name, p.child.pid]));
    const orchestratorPort = await opsPort(procs.get("orchestrator-2")!);
    expect(await readyzStatus(orchestratorPort)).toBe(200);

    const stopped = Date.now();
    nats.process.kill("SIGTERM");
    await new Promise<void>((resolve) => nats.process.once("exit", () => resolve()));
    const notReady = await until("/readyz 503 with NATS down", async () => ((await readyzStatus(orchestratorPort)) === 503 ? Date.now() - stopped : undefined), 10_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const restarted = Date.now();
    await nats.restart();
    await until("/readyz 200 again", async () => ((await readyzStatus(orchestratorPort)) === 200 ? true : undefined), 30_000, 50);
    await untilRecalled(nc, () => ({ query: "What causes ocean tides?", collection: "faults" }), { timeoutMs: 30_000, recalled: (id) => id === "en-tides" });
    const recoveredMs = Date.now() - restarted;
    const after = await underLoad(nc, "faults", "after nats-server restart", () => undefined);
    console.log(`fault-report nats-server restart: ${JSON.stringify({ notReadyAfterMs: notReady, recoveredMs, answeredAfter: `${after.done}/${after.sent}` })}`);

    for (const [name, p] of procs) {
      expect(p.child.exitCode, `${name} exited`).toBeNull();
      expect(p.child.pid).toBe(pids.get(name));
    }
    expect(after.done).toBe(after.sent);
    // Every document is still there: each one is recalled by its own title.
    for (const doc of englishCorpus) {
      const events = await ask(nc, { query: doc.title, collection: "faults", topn: 3 });
      expect(recallOf(events)?.docs.map((d) => d.id)).toContain(doc.id);
    }
  }, 120_000);
});

describe("faults of the LLM and of a lone retriever: one replica of every service", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let llm: FakeLlm;
  let workDir: string;
  const procs = new Map<ServiceKey, TestProcess>();
  const env: Record<ServiceKey, NodeJS.ProcessEnv> = {
    retriever: {},
    generator: { KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_MODEL: "faults-model", KBALIGN_LLM_BREAKER_FAILURES: "8", KBALIGN_LLM_BREAKER_COOLDOWN_MS: "60000" },
    orchestrator: { KBALIGN_FIRST_CHUNK_TIMEOUT_MS: "1000" },
  };
  const start = (key: ServiceKey) => {
    procs.set(key, startNode(key, serviceMain(key), [], serviceEnv(nats.url, `llm-${key}`, { ...env[key], ...(key === "generator" ? { KBALIGN_LLM_BASE_URL: llm.baseUrl } : {}) })));
  };
  const question = { query: "How do bees communicate?", collection: "llm", timeoutMs: 5_000 };

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-llm-faults-"));
    llm = await startFakeLlm();
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    for (const key of SERVICES) start(key);
    for (const key of SERVICES) await untilInstances(nc, key, 1);
    const ingest = await ingestCorpus(nats.url, workDir, "llm", englishCorpus);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    await untilRecalled(nc, () => question, { timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all([...procs.values()].map((p) => p.stop()));
    await nats?.stop();
    await llm?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** One question with the LLM in `mode`; prints how it ended and how long it took. */
  async function askWith(mode: LlmMode): Promise<{ events: StageEvent[]; ms: number; llmCalls: number }> {
    llm.mode = mode;
    const calls = llm.requests.length;
    const started = performance.now();
    const events = await ask(nc, question, { timeoutMs: 10_000 });
    const ms = Math.round(performance.now() - started);
    const last = events.at(-1);
    const llmCalls = llm.requests.length - calls;
    const degraded = last?.state === "done" ? (last as DoneEvent).degraded.map((d) => `${d.stage}:${d.code}`) : [];
    console.log(`fault-report llm ${mode}: ${JSON.stringify({ end: last?.state === "error" ? last.code : last?.state, degraded, ms, llmCalls })}`);
    return { events, ms, llmCalls };
  }

  /** The LLM answers: nothing degraded (this also resets the breaker's count of consecutive failures). */
  async function expectLlmAnswers(mode: LlmMode = "ok"): Promise<void> {
    const { events } = await askWith(mode);
    expect(events.at(-1)).toMatchObject({ state: "done", degraded: [] });
    expect(events.filter((e) => e.state === "data").map((e) => e.value).join("")).toContain("the answer.");
  }

  const degradedOf = (events: StageEvent[]) => (events.at(-1) as DoneEvent).degraded.map((d) => [d.stage, d.code]);

  it("answers through the LLM when it works, and when its first token is slow but inside the budget", async () => {
    await expectLlmAnswers("ok");
    await expectLlmAnswers("slow-first-token");
  }, 30_000);

  it("hung before its first byte: extractive answer after the first-chunk budget, long before the deadline", async () => {
    const { events } = await askWith("hang");
    expect(events.at(-1)?.state).toBe("done");
    expect(degradedOf(events)).toEqual([
      ["first_answer", "TIMEOUT"],
      ["final_answer", "TIMEOUT"],
    ]);
    expect(events.filter((e) => e.state === "data").map((e) => e.value).join("")).toContain("waggle dance");
    await expectLlmAnswers();
  }, 30_000);

  it("failing with HTTP 5xx: retried, then answered extractively", async () => {
    const { events, llmCalls } = await askWith("http500");
    expect(degradedOf(events)).toEqual([
      ["first_answer", "GENERATION_FAILED"],
      ["final_answer", "GENERATION_FAILED"],
    ]);
    // Retryable: each generation was tried again (maxRetries 2) before falling back.
    expect(llmCalls).toBe(6);
    await expectLlmAnswers();
  }, 30_000);

  it("returning garbage: not retried, answered extractively", async () => {
    const { events, llmCalls } = await askWith("garbage");
    expect(degradedOf(events)).toEqual([
      ["first_answer", "GENERATION_FAILED"],
      ["final_answer", "GENERATION_FAILED"],
    ]);
    expect(llmCalls).toBe(2);
    await expectLlmAnswers();
  }, 30_000);

  it("dropping the connection mid-stream: expansion skipped; a final answer broken after its first chunk ends with a retryable GENERATION_FAILED", async () => {
    const { events } = await askWith("drop-mid-stream");
    const last = events.at(-1);
    expect(events.map((e) => e.state)).toContain("data");
    expect(last).toMatchObject({ state: "error", code: "GENERATION_FAILED", retryable: true });
    await expectLlmAnswers();
  }, 30_000);

  it("429 with Retry-After: answered extractively, and until then without calling the LLM at all", async () => {
    const limited = await askWith("http429");
    expect(degradedOf(limited.events).map(([stage]) => stage)).toEqual(["first_answer", "final_answer"]);
    const held = await askWith("ok");
    expect(held.llmCalls).toBe(0);
    expect(degradedOf(held.events)).toEqual([
      ["first_answer", "GENERATION_FAILED"],
      ["final_answer", "GENERATION_FAILED"],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await expectLlmAnswers();
  }, 30_000);

  it("failing again and again: the circuit opens, answers come at once without the LLM, and the state is a metric", async () => {
    await askWith("http500");
    await askWith("http500");
    const open = await askWith("ok");
    expect(open.llmCalls).toBe(0);
    expect(open.events.at(-1)).toMatchObject({ state: "done" });
    expect(degradedOf(open.events).map(([, code]) => code)).toEqual(["GENERATION_FAILED", "GENERATION_FAILED"]);
    const port = await opsPort(procs.get("generator")!);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/kbalign_llm_circuit_state\{[^}]*backend="openai"[^}]*\} 1/);
    expect(metrics).toMatch(/kbalign_llm_short_circuits_total\{[^}]*\} [1-9]/);
  }, 30_000);

  it("a lone retriever restarted over a large collection never answers from a half-built index; meanwhile callers get a fast retryable error, not a time-out", async () => {
    // ~5,000 documents (SciFact's size): the last one is the only one that names its marker.
    const docs = Array.from({ length: 5_000 }, (_, i) => ({
      id: `bulk-${i}`,
      title: `Record ${i}`,
      text: `Record ${i} of the bulk collection describes item ${i} with ordinary words about bees, tides, stars and plants, repeated for length. `.repeat(4),
    }));
    docs.push({ id: "bulk-last", title: "Zanzibar marker", text: "The zanzibarmarker document is ingested last of all." });
    const ingest = await ingestCorpus(nats.url, workDir, "bulk", docs);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    const lookup = { query: "zanzibarmarker", collection: "bulk", timeoutMs: 5_000 };
    await untilRecalled(nc, () => lookup, { timeoutMs: 60_000, recalled: (id) => id === "bulk-last" });

    const retriever = procs.get("retriever")!;
    retriever.child.kill("SIGKILL");
    await retriever.exited;
    const restarted = Date.now();
    start("retriever");
    const answers: { ms: number; end: string; retryable?: boolean; recalled?: string[] }[] = [];
    for (;;) {
      const started = performance.now();
      const events = await ask(nc, lookup, { timeoutMs: 10_000 });
      const last = events.at(-1);
      const recall = recallOf(events);
      answers.push({
        ms: Math.round(performance.now() - started),
        end: last?.state === "error" ? last.code : (last?.state ?? "none"),
        ...(last?.state === "error" ? { retryable: last.retryable } : {}),
        ...(recall ? { recalled: recall.docs.map((d) => d.id) } : {}),
      });
      if (last?.state === "done") break;
      expect(Date.now() - restarted, "the retriever never came back").toBeLessThan(60_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const refused = answers.slice(0, -1);
    console.log(
      `fault-report lone retriever restart (5,001 docs): ${JSON.stringify({ readyAfterMs: Date.now() - restarted, refused: refused.length, worstRefusalMs: Math.max(0, ...refused.map((a) => a.ms)), codes: [...new Set(refused.map((a) => a.end))] })}`,
    );
    // While it rebuilds: a retryable error each time, never a time-out, never a recall.
    for (const a of refused) expect(a).toMatchObject({ end: "RETRIEVAL_FAILED", retryable: true });
    for (const a of refused) expect(a.recalled).toBeUndefined();
    // Once it answers, it answers from the whole collection.
    expect(answers.at(-1)?.recalled?.[0]).toBe("bulk-last");
  }, 180_000);
});
