import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig as loadGeneratorConfig, startGenerator, type GeneratorHandle } from "@kbalign/generator";
import { connectNats, type NatsConnection } from "@kbalign/nats";
import { loadConfig as loadOrchestratorConfig, startOrchestrator, type Orchestrator } from "@kbalign/orchestrator";
import { loadConfig as loadRetrieverConfig, startRetriever, type RetrieverHandle } from "@kbalign/retriever";
import { createLogger, createMetricsRegistry } from "@kbalign/telemetry";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import type { EvalReport } from "../eval/eval-report.js";
import { runCli } from "../program.js";
import { memoryTerminal } from "../terminal.js";

// `kbalign eval --ingest` end to end: a real nats-server with JetStream, the three services
// in-process (each on its own connection, as separate processes would be), a tiny BEIR dataset.

const corpus = [
  { _id: "tides", title: "Ocean tides", text: "Tides are caused mainly by the gravitational pull of the Moon on the oceans of the Earth." },
  { _id: "compass", title: "Compass", text: "A compass needle points to magnetic north because the Earth has a magnetic field." },
  { _id: "bees", title: "Honey bees", text: "Honey bees tell each other where flowers are with a waggle dance." },
  { _id: "volcano", title: "Volcanoes", text: "A volcano erupts when magma rises through the crust." },
  { _id: "panda", title: "大熊猫", text: "大熊猫主要以竹子为食，每天要吃很多竹子。" },
];
const queries = [
  { _id: "q-tides", text: "What causes ocean tides?" },
  { _id: "q-compass", text: "Why does a compass needle point to magnetic north?" },
  { _id: "q-panda", text: "大熊猫吃什么？" },
  { _id: "q-bees", text: "How do honey bees tell each other where flowers are?" },
  { _id: "q-none", text: "A question judged only not relevant" },
];
const answers = [
  { _id: "q-tides", answers: ["the Moon"] },
  { _id: "q-compass", answers: ["magnetic field"] },
  { _id: "q-panda", answers: ["竹子"] },
  { _id: "q-bees", answers: ["waggle dance"] },
];
// BEIR's header, CRLF line endings; q-none is judged with grade 0 only.
const qrels = ["query-id\tcorpus-id\tscore", "q-tides\ttides\t1", "q-compass\tcompass\t1", "q-panda\tpanda\t1", "q-bees\tbees\t1", "q-none\tvolcano\t0", ""].join("\r\n");

const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";

describe("kbalign eval against a real stack", () => {
  let server: TestNatsServer;
  const connections: NatsConnection[] = [];
  let retriever: RetrieverHandle;
  let generator: GeneratorHandle;
  let orchestrator: Orchestrator;
  let dir: string;
  let dataset: string;

  const connect = async (name: string) => {
    const nc = await connectNats({ url: server.url, name });
    connections.push(nc);
    return nc;
  };
  const log = (service: string) => createLogger({ service, level: "silent" });
  const cli = async (...args: string[]) => {
    const terminal = memoryTerminal();
    const code = await runCli(["node", "kbalign", "eval", "--nats", server.url, ...args], terminal, {});
    return { code, out: terminal.out(), err: terminal.err() };
  };

  beforeAll(async () => {
    server = await startNatsServer();
    retriever = await startRetriever({
      nc: await connect("eval-test-retriever"),
      config: loadRetrieverConfig({ KBALIGN_KB_PULL_EXPIRES_MS: "2000" }),
      log: log("retriever"),
      registry: createMetricsRegistry("retriever"),
    });
    await retriever.caughtUp;
    generator = await startGenerator({ nc: await connect("eval-test-generator"), config: loadGeneratorConfig({}), log: log("generator"), registry: createMetricsRegistry("generator") });
    orchestrator = await startOrchestrator({ nc: await connect("eval-test-orchestrator"), config: loadOrchestratorConfig({}), log: log("orchestrator"), registry: createMetricsRegistry("orchestrator") });

    dir = await mkdtemp(join(tmpdir(), "kbalign-eval-"));
    dataset = join(dir, "tiny-beir");
    await mkdir(join(dataset, "qrels"), { recursive: true });
    await writeFile(join(dataset, "corpus.jsonl"), jsonl(corpus));
    await writeFile(join(dataset, "queries.jsonl"), jsonl(queries));
    await writeFile(join(dataset, "answers.jsonl"), jsonl(answers));
    await writeFile(join(dataset, "qrels", "test.tsv"), qrels);
  }, 60_000);

  afterAll(async () => {
    await orchestrator?.stop();
    await generator?.stop();
    await retriever?.stop();
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("refuses a collection that was never loaded, naming --ingest", async () => {
    const result = await cli("--dataset", dataset, "--collection", "never-loaded", "--out", join(dir, "none"));
    expect(result.code).toBe(1);
    expect(result.err).toContain("collection 'never-loaded' has no documents: add --ingest");
    expect(await readdir(join(dir, "none")).catch(() => [])).toEqual([]);
  });

  it("ingests the corpus, asks every judged question over NATS, and scores both recalls and the answers", async () => {
    const out = join(dir, "results");
    const result = await cli("--dataset", dataset, "--collection", "tiny", "--ingest", "--out", out, "--label", "tiny run");
    expect(result.code, result.err).toBe(0);

    const report = JSON.parse(await readFile(join(out, "tiny-run.json"), "utf8")) as EvalReport;
    expect(report.format).toBe("kbalign-eval/1");
    expect(report.ingest).toMatchObject({ published: 5, rejected: 0, indexConfirmed: true });
    expect(report.dataset).toMatchObject({ split: "test", judgedQueries: 4, unjudgedQueries: 1 });
    expect(report.summary).toMatchObject({ questions: 4, done: 4, failed: 0, failedByCode: {} });
    // The mirrored 100-deep rankings start with exactly what the public events carried.
    expect(report.summary.deepRankingMismatches).toEqual({ recall: 0, queryExpansionRecall: 0 });
    expect(report.summary.expansionFromFirstRecall).toBe(0);
    // Each question's one relevant document exists in a five-document corpus: R@100 is 1 for both.
    expect(report.retrieval.recall.recall100).toBe(1);
    expect(report.retrieval.queryExpansionRecall.recall100).toBe(1);
    expect(report.answers?.questions).toBe(4);
    expect(report.answers?.hitRate[400]).toBeGreaterThan(0);
    expect(report.answers?.meanAnswerChars).toBeGreaterThan(0);

    const lines = (await readFile(join(out, "tiny-run.questions.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((l) => l.id)).toEqual(["q-tides", "q-compass", "q-panda", "q-bees"]);
    const tides = lines[0];
    expect(tides).toMatchObject({ outcome: "done", relevant: ["tides"], ndcg10: { recall: 1, queryExpansionRecall: 1 }, references: ["the Moon"] });
    expect(tides.recall[0]).toBe("tides");
    expect(tides.recall.length).toBeLessThanOrEqual(10);
    expect(tides.firstAnswer).toEqual(expect.any(String));
    expect(tides.answer.toLowerCase()).toContain("moon");
    expect(tides.hits[400]).toBe(true);
    expect(tides.f1).toBeGreaterThan(0);
    expect(lines[2]).toMatchObject({ id: "q-panda", ndcg10: { recall: 1 }, hits: { 400: true } });

    expect(result.out).toMatch(/nDCG@10\s+1\.0000\s+1\.0000/);
    expect(result.out).toContain("answers: 4 question(s) with reference answers");
    const markdown = await readFile(join(out, "tiny-run.md"), "utf8");
    expect(markdown).toContain("| nDCG@10 | 1.0000 | 1.0000 |");
    expect(markdown).toContain("![tiny run](tiny-run.svg)");
    const svg = await readFile(join(out, "tiny-run.svg"), "utf8");
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg).toContain(">1.000</text>");
    expect((await readdir(out)).sort()).toEqual(["tiny-run.json", "tiny-run.md", "tiny-run.questions.jsonl", "tiny-run.svg"]);
  }, 60_000);

  it("counts requests that fail as failures scoring 0, never drops them, and exits 1 when none is answered", async () => {
    await orchestrator.stop(); // no one answers kbalign.v1.query any more; the retriever still does
    const out = join(dir, "failed");
    const result = await cli("--dataset", dataset, "--collection", "tiny", "--out", out, "--limit", "2", "--timeout", "1000");
    expect(result.code).toBe(1);
    expect(result.err).toContain("no question got an answer");
    const report = JSON.parse(await readFile(join(out, "tiny.json"), "utf8")) as EvalReport;
    expect(report.settings.limit).toBe(2);
    expect(report.summary).toMatchObject({ questions: 2, done: 0, failed: 2, failedByCode: { UNAVAILABLE: 2 } });
    expect(report.retrieval.recall).toEqual({ ndcg10: 0, recall5: 0, recall10: 0, recall100: 0, mrr10: 0 });
    expect(report.answers).toMatchObject({ questions: 2, hitRate: { 400: 0 }, f1: 0 });
  }, 30_000);
});
