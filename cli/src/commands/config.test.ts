import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import type { DoneEvent, RecallEvent, StageEvent } from "@kbalign/contracts";
import { connectNats, openConfigBucket, type NatsConnection } from "@kbalign/nats";
import { loadConfig as loadOrchestratorConfig, startOrchestrator, type Orchestrator } from "@kbalign/orchestrator";
import { createInProcessGenerator, createInProcessRetriever, type RetrieverPort } from "@kbalign/pipeline";
import { createLogger } from "@kbalign/telemetry";
import { englishCorpus, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { newRequestId, streamQuery } from "../ask/query-stream.js";
import { runCli } from "../program.js";
import { memoryTerminal } from "../terminal.js";

// `kbalign config` against a real nats-server with JetStream and two orchestrator replicas
// in-process, each on its own connection and registry (as two processes would be).

async function ask(nc: NatsConnection, query: string): Promise<StageEvent[]> {
  const events: StageEvent[] = [];
  for await (const received of streamQuery(nc, { query, collection: "docs", requestId: newRequestId() }, { clientTimeoutMs: 10_000 })) {
    if (received.event) events.push(received.event);
  }
  return events;
}

async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function gauge(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe("kbalign config against running orchestrators", { timeout: 30_000 }, () => {
  let server: TestNatsServer;
  const connections: NatsConnection[] = [];
  // The topn of every recall any replica ran (the first recall of each query, then its second).
  const topns: number[] = [];
  const replicas: { orchestrator: Orchestrator; registry: Registry }[] = [];
  let client: NatsConnection;

  const connect = async (name: string) => {
    const nc = await connectNats({ url: server.url, name });
    connections.push(nc);
    return nc;
  };
  const cli = async (...args: string[]) => {
    const terminal = memoryTerminal();
    const code = await runCli(["node", "kbalign", "config", ...args, "--nats", server.url], terminal, {});
    return { code, out: terminal.out(), err: terminal.err() };
  };
  /** What the replicas answer a question without topn with: the topn they recalled with, and the revision `done` names. */
  const answers = async (times = 6) => {
    const seen: { topn: number; revision: number | undefined }[] = [];
    for (let i = 0; i < times; i++) {
      const mark = topns.length;
      const events = await ask(client, "What causes tides?");
      expect(events.some((e): e is RecallEvent => e.state === "recall")).toBe(true);
      const done = events.at(-1) as DoneEvent;
      expect(done.state).toBe("done");
      expect(new Set(topns.slice(mark)).size).toBe(1);
      seen.push({ topn: topns[mark]!, revision: done.configRevision });
    }
    return seen;
  };
  const replicasAt = (revision: number) => async () => {
    for (const { registry } of replicas) if ((await gauge(registry, "kbalign_config_revision")) !== revision) return false;
    return true;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    const docs = englishCorpus.map((d) => ({ id: d.id, title: d.title, text: d.text }));
    const inner = createInProcessRetriever({ docs });
    const spy: RetrieverPort = {
      retrieve: (req, opts) => {
        topns.push(req.topn);
        return inner.retrieve(req, opts);
      },
    };
    for (let i = 0; i < 2; i++) {
      const registry = new Registry();
      const orchestrator = await startOrchestrator({
        nc: await connect(`config-test-orchestrator-${i}`),
        config: loadOrchestratorConfig({}),
        log: createLogger({ service: "orchestrator", level: "silent" }),
        registry,
        ports: { retriever: spy, generator: createInProcessGenerator() },
      });
      replicas.push({ orchestrator, registry });
    }
    client = await connect("config-test-client");
  }, 60_000);

  afterAll(async () => {
    for (const { orchestrator } of replicas) await orchestrator.stop();
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.stop();
  });

  it("runs on the environment while the bucket is empty: topn 5, revision 0", async () => {
    expect(await answers(2)).toEqual([
      { topn: 5, revision: 0 },
      { topn: 5, revision: 0 },
    ]);
  });

  it("applies a change to every running replica without a restart; every answer names the revision", async () => {
    const set = await cli("set", "query.defaultTopn", "2");
    expect(set.code, set.err).toBe(0);
    const revision = Number(/revision (\d+)/.exec(set.out)![1]);
    await eventually(replicasAt(revision));
    expect(new Set((await answers()).map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ topn: 2, revision })]));
    expect((await cli("get", "query.defaultTopn")).out.trim()).toBe("2");
  });

  it("refuses an invalid value with a clear message and a non-zero exit, and keeps the old one", async () => {
    const before = await gauge(replicas[0]!.registry, "kbalign_config_revision");
    const refused = await cli("set", "query.defaultTopn", "51");
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused: query\.defaultTopn: .*50/);
    expect((await cli("get", "query.defaultTopn")).out.trim()).toBe("2");
    expect((await cli("set", "query.maxInFlight", "lots")).code).toBe(1);
    expect((await cli("set", "no.such.key", "1")).err).toContain("unknown key 'no.such.key'");
    for (const answer of await answers(3)) expect(answer).toEqual({ topn: 2, revision: before });
  });

  it("ignores a bad value written around the CLI: last good kept, counted on every replica", async () => {
    const before = await gauge(replicas[0]!.registry, "kbalign_config_revision");
    const kv = await openConfigBucket(client);
    await kv.put("query.defaultTopn", "zero");
    for (const { registry } of replicas) await eventually(async () => (await gauge(registry, "kbalign_config_rejected_total", { key: "query.defaultTopn" })) === 1);
    for (const answer of await answers(3)) expect(answer).toEqual({ topn: 2, revision: before });
  });

  it("rolls back to an earlier revision, and undoes the latest change by default", async () => {
    const three = await cli("set", "query.defaultTopn", "3");
    const revisionThree = Number(/revision (\d+)/.exec(three.out)![1]);
    await eventually(replicasAt(revisionThree));
    const four = await cli("set", "query.defaultTopn", "4");
    await eventually(replicasAt(Number(/revision (\d+)/.exec(four.out)![1])));

    const undo = await cli("rollback");
    expect(undo.code, undo.err).toBe(0);
    expect(undo.out).toContain('query.defaultTopn: "4" -> "3"');
    await eventually(async () => (await answers(1))[0]!.topn === 3);

    const history = await cli("history");
    // 2, "zero", 3, 4, then the undo writing 3 again: every change kept, the undo one more.
    expect(history.out.trim().split("\n")).toHaveLength(5);
    // Just before revision three the key held "zero" (written around the CLI): a rollback there is
    // refused, since the CLI validates what it restores, and nothing is written.
    const refused = await cli("rollback", "--to", String(revisionThree - 1));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("refused: query.defaultTopn");
    const back = await cli("rollback", "--to", String(revisionThree - 2));
    expect(back.code, back.err).toBe(0);
    expect(back.out).toContain('query.defaultTopn: "3" -> "2"');
    await eventually(async () => (await answers(1))[0]!.topn === 2);
  });
});
