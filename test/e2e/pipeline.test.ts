import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { StageEvent } from "@kbalign/contracts";
import { chineseCorpus, englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { runCli, startNode, type TestProcess } from "./support/child-process.js";
import { SLOW_MARKER, startFakeLlm, type FakeLlm } from "./support/fake-llm.js";
import { assertBuilt, cliMain, SERVICE_NAMES, serviceMain, SERVICES, type ServiceKey } from "./support/paths.js";
import { ingestCorpus, untilRecalled } from "./support/stack-setup.js";
import { answersPing, ask, cancel } from "./support/query-client.js";
import { until } from "./support/until.js";

// The whole product as a user runs it: nats-server, the three services as separate processes,
// documents loaded with the real `kbalign ingest`, questions asked over the public contract only.
// The generator talks to a local OpenAI-compatible server (fake-llm.ts), which makes a slow
// answer, and so a cancel midway, deterministic.

const corpus = [...englishCorpus, ...chineseCorpus];
const textOf = (id: string) => corpus.find((d) => d.id === id)?.text;

describe("kbalign end to end: real processes, public contract", () => {
  let nats: TestNatsServer;
  let llm: FakeLlm;
  let nc: NatsConnection;
  let workDir: string;
  const services = new Map<ServiceKey, TestProcess>();

  const startService = (key: ServiceKey): TestProcess => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: nats.url,
      KBALIGN_HTTP_PORT: "0",
      KBALIGN_LOG_LEVEL: "warn",
      KBALIGN_INSTANCE: `e2e-${key}`,
      ...(key === "generator" ? { KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: llm.baseUrl, KBALIGN_LLM_MODEL: "e2e-model" } : {}),
    };
    const service = startNode(key, serviceMain(key), [], env);
    services.set(key, service);
    return service;
  };
  const explain = () => [...services.values()].map((s) => `--- ${s.name} stderr:\n${s.stderr().slice(-2_000)}\n--- ${s.name} stdout:\n${s.stdout().slice(-2_000)}`).join("\n");
  const waitForPing = (key: ServiceKey) =>
    until(`${SERVICE_NAMES[key]} answers PING`, async () => ((await answersPing(nc, SERVICE_NAMES[key])) ? true : undefined), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${explain()}`);
    });
  const question = (query: string, extra: object = {}) => ({ query, collection: "e2e", topn: 3, requestId: `e2e-${Math.random().toString(36).slice(2)}`, ...extra });

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-e2e-"));
    llm = await startFakeLlm();
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    SERVICES.forEach(startService);
    await Promise.all(SERVICES.map(waitForPing));

    // A BEIR corpus.jsonl: `_id` is the document id, `metadata` is there and ignored.
    const ingest = await ingestCorpus(nats.url, workDir, "e2e", corpus);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    expect(ingest.stdout).toMatch(/published\s+12\b/);
    await untilRecalled(nc, () => question("What causes ocean tides?"), { recalled: (id) => id === "en-tides" });
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all([...services.values()].map((s) => s.stop()));
    await nats?.stop();
    await llm?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("streams recall, first_answer, query_expansion_recall, data…, done with seq 0,1,2,… and one terminal event", async () => {
    const request = question("What causes ocean tides?");
    const events = await ask(nc, request, { lingerMs: 300 });
    const states = events.map((e) => e.state);
    expect(states.slice(0, 3)).toEqual(["recall", "first_answer", "query_expansion_recall"]);
    expect(states.at(-1)).toBe("done");
    expect(states.slice(3, -1).length).toBeGreaterThan(0);
    expect(states.slice(3, -1).every((s) => s === "data")).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.state === "done" || e.state === "error")).toHaveLength(1);
    expect(events.every((e) => e.requestId === request.requestId)).toBe(true);

    const done = events.at(-1) as Extract<StageEvent, { state: "done" }>;
    expect(done.degraded).toEqual([]);
    expect(done.timingsMs.total).toBeGreaterThan(0);
    const answer = events.flatMap((e) => (e.state === "data" ? [e.value] : [])).join("");
    expect(answer).toBe("Grounded in the documents: the answer.");
  });

  it("carries the BEIR `_id` as docs[].id, with each document's text in value at the same position", async () => {
    const events = await ask(nc, question("What causes ocean tides?"));
    const recall = events.find((e) => e.state === "recall");
    if (recall?.state !== "recall") throw new Error("no recall event");
    expect(recall.docs[0]).toMatchObject({ id: "en-tides", title: "Ocean tides" });
    expect(recall.docs.length).toBeLessThanOrEqual(3);
    recall.docs.forEach((doc, i) => expect(recall.value[i]).toBe(textOf(doc.id)));
  });

  it("grounds the LLM on the documents' texts and passes the client's system prompt", async () => {
    const marker = "Answer like a harbour master.";
    const before = llm.requests.length;
    const events = await ask(nc, question("Why do sailors use a compass?", { messages: [{ role: "system", content: marker }] }));
    expect(events.at(-1)?.state).toBe("done");
    const prompts = llm.requests.slice(before).map((r) => r.text);
    expect(prompts.length).toBeGreaterThanOrEqual(2); // first answer and final answer
    expect(prompts.every((p) => p.includes("magnetic north") && !p.includes("[object Object]"))).toBe(true);
    expect(prompts.some((p) => p.includes(marker))).toBe(true);
  });

  it.each([
    ["长江有多长？", "zh-yangtze"],
    ["大熊猫吃什么？", "zh-panda"],
  ])("retrieves the right Chinese document first for %s", async (query, id) => {
    const events = await ask(nc, question(query));
    const recall = events.find((e) => e.state === "recall");
    expect(recall?.state === "recall" && recall.docs[0]?.id).toBe(id);
    expect(events.at(-1)?.state).toBe("done");
  });

  it.each([
    ["malformed JSON", '{"query": "tides", "collection": ', undefined],
    ["a missing query", { collection: "e2e" }, "query"],
    ["topn 99", { query: "tides", collection: "e2e", topn: 99 }, "topn"],
  ])("answers %s with one BAD_REQUEST error event naming the field", async (_name, body, field) => {
    const events = await ask(nc, body as object | string, { lingerMs: 300 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ seq: 0, state: "error", code: "BAD_REQUEST", retryable: false });
    if (field !== undefined) {
      expect(events[0]).toMatchObject({ field });
      expect(events[0]?.value).toContain(field);
    }
  });

  it("answers an unknown collection with COLLECTION_NOT_FOUND", async () => {
    const events = await ask(nc, { query: "What causes ocean tides?", collection: "never-ingested" }, { lingerMs: 300 });
    expect(events.map((e) => e.state)).toEqual(["error"]);
    expect(events[0]).toMatchObject({ code: "COLLECTION_NOT_FOUND", retryable: false });
  });

  it("ends a request cancelled after recall with CANCELLED, and stops the LLM stream", async () => {
    const request = question(`What causes ocean tides? ${SLOW_MARKER}`, { timeoutMs: 120_000 });
    const before = llm.requests.length;
    const events = await ask(nc, request, { timeoutMs: 20_000, lingerMs: 300, onEvent: (e) => e.state === "recall" && cancel(nc, request.requestId) });
    expect(events[0]?.state).toBe("recall");
    expect(events.at(-1)).toMatchObject({ state: "error", code: "CANCELLED", retryable: false });
    expect(events.filter((e) => e.state === "done" || e.state === "error")).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    // The slow stream would take 20 s to finish; cancelled, the generator must hang up on it.
    const slow = await until("the generator opened the slow LLM stream", async () => llm.requests.slice(before).find((r) => r.slow), 5_000);
    await until("the LLM stream was aborted", async () => (slow.outcome === "aborted" ? true : undefined), 10_000);
  });

  it("`kbalign ask` prints the stages, and on Ctrl-C cancels the request and exits 1 with CANCELLED", async () => {
    const asking = startNode("kbalign ask", cliMain, ["ask", `What causes ocean tides? ${SLOW_MARKER}`, "--collection", "e2e", "--timeout", "120000", "--nats", nats.url], process.env);
    await asking.waitForStdout(/^ {2}1\. en-tides /m, 15_000);
    asking.child.kill("SIGINT");
    const exit = await Promise.race([asking.exited, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 15_000))]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(asking.stderr()).toMatch(/error CANCELLED: /);
    expect(asking.stdout()).toMatch(/^recall · \d+ document\(s\)$/m);
  });

  it("a retriever killed with SIGKILL and replaced converges from the stream and answers the same", async () => {
    const recallOf = async (query: string) => {
      const events = await ask(nc, question(query));
      const recall = events.find((e) => e.state === "recall");
      if (recall?.state !== "recall") throw new Error(`no recall: ${JSON.stringify(events)}`);
      return recall.docs;
    };
    const before = [await recallOf("What causes ocean tides?"), await recallOf("长江有多长？")];

    const old = services.get("retriever")!;
    old.child.kill("SIGKILL");
    await old.exited;
    await until("no retriever answers PING", async () => ((await answersPing(nc, SERVICE_NAMES.retriever)) ? undefined : true), 10_000);

    startService("retriever");
    await waitForPing("retriever");
    // Registered means caught up: the very first answers must already be complete.
    expect([await recallOf("What causes ocean tides?"), await recallOf("长江有多长？")]).toEqual(before);
  });

  it("`kbalign ingest` reports an invalid record with file:line, exits 1, and stores the valid ones", async () => {
    const file = join(workDir, "partial.jsonl");
    await writeFile(file, [JSON.stringify({ _id: "good-1", title: "Compass", text: "A compass needle points to magnetic north." }), '{"_id": "bad-2", "text": ""}'].join("\n"));
    const result = await runCli(["ingest", file, "--collection", "e2e-partial", "--nats", nats.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:2: text: must not be empty`);
    expect(result.stdout).toMatch(/published\s+1\b/);
    expect(result.stdout).toMatch(/rejected\s+1\b/);
    const docs = await until(
      "the valid record is searchable",
      async () => {
        const recall = (await ask(nc, { query: "compass needle", collection: "e2e-partial" })).find((e) => e.state === "recall");
        return recall?.state === "recall" ? recall.docs : undefined;
      },
      10_000,
      200,
    );
    expect(docs.map((d) => d.id)).toEqual(["good-1"]);
  });
  it("with no generator running, still answers from the documents and says how it degraded", async () => {
    const generator = services.get("generator")!;
    generator.child.kill("SIGTERM");
    await generator.exited;
    await until("no generator answers PING", async () => ((await answersPing(nc, SERVICE_NAMES.generator)) ? undefined : true), 10_000);
    try {
      const events = await ask(nc, question("What causes ocean tides?"));
      expect(events.map((e) => e.state).filter((s, i, all) => s !== "data" || all[i - 1] !== "data")).toEqual(["recall", "data", "done"]);
      const answer = events.filter((e) => e.state === "data").map((e) => e.value).join("");
      expect(answer).toContain("Moon");
      const done = events.at(-1);
      expect(done?.state === "done" && done.degraded.map((d) => [d.stage, d.code])).toEqual([
        ["first_answer", "UNAVAILABLE"],
        ["final_answer", "UNAVAILABLE"],
      ]);
    } finally {
      startService("generator");
      await waitForPing("generator");
    }
  });

  it("answers the services framework's INFO and STATS, as `nats micro info|stats` ask them", async () => {
    // Retrievers and generators also serve their own subject, where the orchestrator sends each call.
    const endpoints: Record<ServiceKey, string[]> = { retriever: ["retrieve", "retrieve-instance"], generator: ["generate", "generate-instance"], orchestrator: ["query", "cancel"] };
    for (const key of SERVICES) {
      const info = (await nc.request(`$SRV.INFO.${SERVICE_NAMES[key]}`, "", { timeout: 2_000 })).json<{ name: string; version: string; endpoints: Array<{ name: string }> }>();
      expect(info.name).toBe(SERVICE_NAMES[key]);
      expect(info.endpoints.map((e) => e.name).sort()).toEqual([...endpoints[key]].sort());
    }
    const stats = (await nc.request(`$SRV.STATS.${SERVICE_NAMES.orchestrator}`, "", { timeout: 2_000 })).json<{ endpoints: Array<{ name: string; num_requests: number }> }>();
    expect(stats.endpoints.find((e) => e.name === "query")?.num_requests).toBeGreaterThan(0);
  });

  // Last: it takes the server away from everything above. The services keep their processes and
  // must reconnect by themselves (they never give up reconnecting); the knowledge base survives
  // in the JetStream store.
  it("rides out a nats-server restart: the same processes answer again, from the same knowledge base", async () => {
    const before = (await ask(nc, question("长江有多长？"))).find((e) => e.state === "recall");
    const pids = [...services.values()].map((s) => s.child.pid);
    await nats.restart();
    const recall = await until(
      "the query path answers again after the restart",
      async () => {
        const events = await ask(nc, question("长江有多长？"), { timeoutMs: 3_000 }).catch(() => undefined);
        return events?.find((e) => e.state === "recall");
      },
      30_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${explain()}`);
    });
    expect(recall?.state === "recall" && recall.docs).toEqual(before?.state === "recall" && before.docs);
    expect([...services.values()].map((s) => s.child.pid)).toEqual(pids);
    expect([...services.values()].every((s) => s.child.exitCode === null)).toBe(true);
  });
});
