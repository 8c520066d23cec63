import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@kbalign/testing";
import { runCli, startNode, type TestProcess } from "./support/child-process.js";
import { assertBuilt, cliMain } from "./support/paths.js";
import { childPids, commandOf, isAlive, isListening } from "./support/process-tree.js";
import { until } from "./support/until.js";

// `kbalign up` as a user runs it: the whole stack from one command, the demo, a question from a
// second terminal, then Ctrl-C, after which nothing it started may be left running.

describe("kbalign up --demo", () => {
  let up: TestProcess;
  let dataDir: string;
  let port: number;
  let natsUrl: string;

  beforeAll(async () => {
    assertBuilt();
    port = await freePort();
    natsUrl = `nats://127.0.0.1:${port}`;
    dataDir = await mkdtemp(join(tmpdir(), "kbalign-up-e2e-"));
    // The default (extractive) generator: this is what `npm start` runs.
    const { KBALIGN_GENERATOR_BACKEND: _backend, ...env } = process.env;
    up = startNode("kbalign up", cliMain, ["up", "--port", String(port), "--data", dataDir, "--ops-port", "0", "--demo", "--no-prometheus"], { ...env, KBALIGN_LOG_LEVEL: "warn" });
    await up.waitForStdout(/kbalign is up/, 60_000);
  }, 90_000);

  afterAll(async () => {
    await up?.stop(15_000);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("prints a banner with the NATS URL, the ops URLs and how to ingest and ask", async () => {
    const out = up.stdout();
    expect(out).toMatch(new RegExp(`^ {2}NATS +${natsUrl}$`, "m"));
    expect(out).toContain(`kbalign ingest ./docs --collection docs --nats ${natsUrl}`);
    expect(out).toMatch(new RegExp(`^ {2}logs +${join(dataDir, "logs")}$`, "m"));
    const opsUrls = [...out.matchAll(/^ {2}(retriever|generator|orchestrator) +(http:\/\/127\.0\.0\.1:\d+)\/metrics/gm)];
    expect(opsUrls.map((m) => m[1])).toEqual(["retriever", "generator", "orchestrator"]);
    for (const [, name, url] of opsUrls) {
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status, `${name} /metrics`).toBe(200);
      expect(await metrics.text()).toContain("kbalign_");
    }
  });

  it("exposes only metrics that docs/metrics.md documents, with their types", async () => {
    const docs = await readFile(new URL("../../docs/metrics.md", import.meta.url), "utf8");
    const documented = new Map([...docs.matchAll(/^\| `(kbalign_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1]!, m[2]!]));
    const exposed = new Map<string, string>();
    for (const [, url] of up.stdout().matchAll(/^ {2}(?:retriever|generator|orchestrator) +(http:\/\/127\.0\.0\.1:\d+)\/metrics/gm)) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const [, name, type] of text.matchAll(/^# TYPE (kbalign_\w+) (\w+)$/gm)) exposed.set(name!, type!);
    }
    expect(exposed.size).toBeGreaterThan(10);
    expect(Object.fromEntries(exposed)).toEqual(Object.fromEntries([...exposed.keys()].map((name) => [name, documented.get(name)])));
    expect([...documented.keys()].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it("ingests the demo knowledge base and answers the English and the Chinese question from the right document", async () => {
    await up.waitForStdout(/demo finished/, 60_000);
    const out = up.stdout();
    expect(out).toMatch(/demo: ingested 10 documents/);
    expect(out).toMatch(/demo question \(en\): Why does Mars look red\?[^\n]*\nrecall · \d+ document\(s\)\n +1\. en\/mars\.md /);
    expect(out).toMatch(/demo question \(zh\): 土星的光环是由什么组成的？[^\n]*\nrecall · \d+ document\(s\)\n +1\. zh\/saturn\.md /);
    expect(out.match(/^done · /gm)).toHaveLength(2);
    expect(out).toContain("iron oxide");
    expect(out).toContain("冰块和岩石碎块");
  });

  it("answers `kbalign ask --json` from another process, one JSON event per line", async () => {
    const result = await runCli(["ask", "Why does Mars look red?", "--collection", "demo", "--json", "--nats", natsUrl]);
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { state: string; seq: number; docs?: Array<{ id: string }> });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events[0]?.state).toBe("recall");
    expect(events[0]?.docs?.[0]?.id).toBe("en/mars.md");
    expect(events.at(-1)?.state).toBe("done");
  });

  it("restarts a service that crashed, reports the crash, and serves again", async () => {
    const retriever = childPids(up.child.pid!).find((pid) => commandOf(pid).includes("services/retriever/dist/main.js"));
    expect(retriever).toBeDefined();
    process.kill(retriever!, "SIGKILL");
    await until("the crash is reported", async () => (/! retriever exited unexpectedly \(signal SIGKILL\); restarting in/.test(up.stderr()) ? true : undefined), 10_000);
    const answered = await until(
      "the restarted retriever answers from the stream",
      async () => {
        const result = await runCli(["ask", "Why does Mars look red?", "--collection", "demo", "--json", "--nats", natsUrl]);
        return result.code === 0 ? result.stdout : undefined;
      },
      30_000,
      500,
    );
    const recall = JSON.parse(answered.split("\n")[0] ?? "{}") as { state?: string; docs?: Array<{ id: string }> };
    expect(recall.state).toBe("recall");
    expect(recall.docs?.[0]?.id).toBe("en/mars.md");
    const restarted = childPids(up.child.pid!).find((pid) => commandOf(pid).includes("services/retriever/dist/main.js"));
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(retriever);
  });

  it("stops everything it started on SIGINT and exits 0", async () => {
    const children = childPids(up.child.pid!);
    const commands = children.map(commandOf);
    expect(commands.filter((c) => c.includes("nats-server"))).toHaveLength(1);
    for (const service of ["retriever", "generator", "orchestrator"]) {
      expect(commands.filter((c) => c.includes(`services/${service}/dist/main.js`)), service).toHaveLength(1);
    }

    up.child.kill("SIGINT");
    const exit = await Promise.race([up.exited, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 30_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    const leftovers = children.filter(isAlive);
    expect(leftovers.map(commandOf)).toEqual([]);
    expect(await isListening(port)).toBe(false);
  });
  // After the stop above: the JetStream store under --data is the durable state.
  it("keeps the knowledge base across a stop and start on the same --data, with no new ingest; --replicas 2 runs two of each service", async () => {
    const { KBALIGN_GENERATOR_BACKEND: _backend, ...env } = process.env;
    const again = startNode("kbalign up (again)", cliMain, ["up", "--port", String(port), "--data", dataDir, "--ops-port", "0", "--no-prometheus", "--replicas", "2"], { ...env, KBALIGN_LOG_LEVEL: "warn" });
    try {
      await again.waitForStdout(/kbalign is up/, 60_000);
      // Ready only once every replica answers: two processes of each service, each with its ops port.
      for (const name of ["retriever", "generator", "orchestrator"]) {
        for (const replica of [1, 2]) expect(again.stdout()).toMatch(new RegExp(`${name}-${replica}\\s+http://127\\.0\\.0\\.1:\\d+/metrics`));
      }
      const services = childPids(again.child.pid!).filter((pid) => /services\/\w+\/dist\/main\.js/.test(commandOf(pid)));
      expect(services).toHaveLength(6);
      const result = await runCli(["ask", "土星的光环是由什么组成的？", "--collection", "demo", "--json", "--nats", natsUrl]);
      expect(result.code, result.stderr).toBe(0);
      const recall = JSON.parse(result.stdout.split("\n")[0] ?? "{}") as { state?: string; docs?: Array<{ id: string }> };
      expect(recall.state).toBe("recall");
      expect(recall.docs?.[0]?.id).toBe("zh/saturn.md");
      expect(again.stdout()).not.toMatch(/ingested/);
    } finally {
      again.child.kill("SIGINT");
      await again.exited;
    }
  }, 90_000);
});
