import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { englishCorpus, freePort, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { runCli, startNode, type TestProcess } from "./support/child-process.js";
import { assertBuilt, serviceMain, SERVICES, type ServiceKey } from "./support/paths.js";
import { ingestCorpus, untilRecalled, waitForServices } from "./support/stack-setup.js";

// `kbalign bench` in open loop against the real stack: nats-server (with its monitoring port),
// the three services as processes with the embedded extractive generator, the corpus ingested with
// `kbalign ingest`. Short runs at low rates: what is checked is what the report holds, never speed.

interface StepJson {
  offeredRate: number;
  sent: number;
  planned: number;
  completed: number;
  ok: number;
  errors: number;
  errorsByCode: Record<string, number>;
  latencyMs: Record<string, { count: number; p50: number; p99: number; p999: number; max: number }>;
  resources: Array<{ process: string; cpuPercent?: number; rssMaxBytes?: number }>;
}
interface ReportJson {
  format: string;
  setup: { mode: string };
  steps: StepJson[];
  costs: Array<{ serverCpuPercent?: number; cpuMsPerQuery?: number; serverRssBytes?: number }>;
  sweep?: { highestPassingRate?: number; stoppedBecause: string };
}

describe("kbalign bench, open loop, against the real stack", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let workDir: string;
  let monitorPort: number;
  const opsPorts = new Map<ServiceKey, number>();
  const services: TestProcess[] = [];
  const explain = () => services.map((s) => `--- ${s.name} stderr:\n${s.stderr().slice(-2_000)}`).join("\n");

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-bench-e2e-"));
    monitorPort = await freePort();
    nats = await startNatsServer({ monitorPort });
    nc = await connect({ servers: nats.url });
    for (const key of SERVICES) {
      const port = await freePort();
      opsPorts.set(key, port);
      services.push(startNode(key, serviceMain(key), [], { ...process.env, NATS_URL: nats.url, KBALIGN_HTTP_PORT: String(port), KBALIGN_LOG_LEVEL: "warn" }));
    }
    await waitForServices(nc, explain);
    const ingest = await ingestCorpus(nats.url, workDir, "bench", englishCorpus);
    expect(ingest, ingest.stderr).toMatchObject({ code: 0 });
    await untilRecalled(nc, () => ({ query: "What causes ocean tides?", collection: "bench", topn: 3 }));
    await writeFile(join(workDir, "questions.txt"), "What causes ocean tides?\nHow do vaccines work?\nWhat is photosynthesis?\n");
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
    await Promise.all(services.map((s) => s.stop()));
    await nats?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const metricsFlags = () => SERVICES.flatMap((key) => ["--metrics", `http://127.0.0.1:${opsPorts.get(key)}/metrics`]);
  const run = async (outName: string, extra: string[]) => {
    const out = join(workDir, outName);
    const result = await runCli(["bench", "--collection", "bench", "--queries", join(workDir, "questions.txt"), "--topn", "3", "--out", out, ...extra]);
    const files = await readdir(out).catch(() => []);
    const jsonFile = files.find((f) => f.endsWith(".json"));
    const report = jsonFile ? (JSON.parse(await readFile(join(out, jsonFile), "utf8")) as ReportJson) : undefined;
    return { result, files, report, out };
  };

  it("sends rate × duration queries over NATS, all answered, with every milestone timed and every process's CPU and RSS", async () => {
    const { result, files, report } = await run("steady", ["--rate", "20", "--duration", "2", "--warmup", "10", "--nats", nats.url, "--nats-monitor", `http://127.0.0.1:${monitorPort}`, ...metricsFlags()]);
    expect(result.code, `${result.stderr}\n${explain()}`).toBe(0);
    expect(files.filter((f) => /\.(json|md|svg)$/.test(f))).toHaveLength(3);
    expect(report?.format).toBe("kbalign-bench-open-loop/1");
    expect(report?.setup.mode).toBe("nats");
    const [step] = report?.steps ?? [];
    expect(step).toMatchObject({ offeredRate: 20, sent: 40, planned: 40, completed: 40, ok: 40, errors: 0, errorsByCode: {} });
    for (const milestone of ["recall", "firstAnswer", "firstData", "terminal"]) expect(step?.latencyMs[milestone]?.count).toBe(40);
    const processes = step?.resources.map((r) => r.process).sort();
    expect(processes, result.stderr).toEqual(["kbalign bench (this client)", "kbalign-generator", "kbalign-orchestrator", "kbalign-retriever", "nats-server"]);
    for (const r of step?.resources ?? []) {
      expect(r.cpuPercent, r.process).toBeGreaterThanOrEqual(0);
      expect(r.rssMaxBytes, r.process).toBeGreaterThan(0);
    }
    expect(report?.costs[0]?.cpuMsPerQuery).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/per offered rate/);
    const svg = await readFile(join(workDir, "steady", files.find((f) => f.endsWith(".svg")) ?? ""), "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("20/s");
  }, 60_000);

  it("sweeps the rate up and reports the highest that held the target", async () => {
    // A target no run can miss on any machine: what is checked is the stepping, not the speed.
    const { result, report } = await run("sweep", ["--sweep", "--rate", "10", "--rate-step", "10", "--max-rate", "30", "--duration", "1", "--warmup", "0", "--target-p99", "60000", "--nats", nats.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(report?.steps.map((s) => s.offeredRate)).toEqual([10, 20, 30]);
    expect(report?.sweep).toMatchObject({ highestPassingRate: 30 });
    expect(report?.sweep?.stoppedBecause).toMatch(/reached --max-rate 30/);
  }, 60_000);

  it("runs the same pipeline in process over the corpus file, with no NATS", async () => {
    const { result, report } = await run("in-process", ["--in-process", "--corpus", join(workDir, "bench.corpus.jsonl"), "--rate", "20", "--duration", "1", "--warmup", "0", "--nats", "nats://127.0.0.1:1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(report?.setup.mode).toBe("in-process");
    expect(report?.steps[0]).toMatchObject({ sent: 20, ok: 20, errors: 0 });
    expect(report?.costs[0]?.serverCpuPercent).toBeGreaterThan(0);
  }, 60_000);

  it("refuses --in-process without --corpus, and --sweep without --rate, as usage errors", async () => {
    const noCorpus = await runCli(["bench", "--collection", "bench", "--in-process", "--rate", "5"]);
    expect(noCorpus.code).toBe(2);
    expect(noCorpus.stderr).toMatch(/--in-process needs --corpus PATH/);
    const noRate = await runCli(["bench", "--collection", "bench", "--sweep"]);
    expect(noRate.code).toBe(2);
    expect(noRate.stderr).toMatch(/--sweep runs an open loop: give its \(starting\) rate with --rate R/);
  }, 30_000);
});
