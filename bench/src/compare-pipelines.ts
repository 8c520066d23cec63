// The same KBAlign work (recall, first answer, expansion recall, streamed final answer) three ways,
// on the same machine, same questions, one run, closed loop at the same concurrency:
//   1. LangChain.js runnables: a BaseRetriever over this project's BM25 index and a chat model over
//      its extractive answerer, chained with RunnableSequence/RunnableLambda, the answer streamed;
//   2. this project's pipeline library in process (KBAlign + createInProcessRetriever/Generator);
//   3. the same pipeline over NATS: the public contract against a running stack (`kbalign up`,
//      SciFact ingested), CPU of the services and nats-server sampled during the run;
// plus a plain nats.js request-reply loop (one hop, no work) for the cost of one NATS hop here.
//
//   npm run compare -- [--nats URL] [--metrics URL]... [--nats-monitor URL] [--seconds S] [--concurrency C] [--data DIR]
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { cpus, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BaseRetriever } from "@langchain/core/retrievers";
import { Document } from "@langchain/core/documents";
import { SimpleChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { RunnableLambda, RunnableSequence } from "@langchain/core/runnables";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Bm25Index } from "../../shared/search/dist/index.js";
import { defaultExtractiveLimits, extractiveChunks } from "../../shared/text/dist/index.js";
import { KBAlign, createInProcessGenerator, createInProcessRetriever } from "../../shared/pipeline/dist/index.js";
import { measureRequest } from "../../cli/dist/bench/measure-request.js";
import { startResourceSampler, CLIENT_PROCESS, type ProcessUsage } from "../../cli/dist/bench/resource-sampler.js";
import { loadCorpus, loadTestQueries } from "./beir-dataset.js";
import { dataDirectory, resultsDirectory } from "./data-directory.js";
import type { BenchDocument } from "./engines/engine.js";
import { median } from "./throughput.js";

const { values: flags } = parseArgs({
  options: {
    nats: { type: "string", default: "nats://127.0.0.1:4222" },
    collection: { type: "string", default: "scifact" },
    metrics: { type: "string", multiple: true, default: ["http://127.0.0.1:9101/metrics", "http://127.0.0.1:9102/metrics", "http://127.0.0.1:9103/metrics"] },
    "nats-monitor": { type: "string", default: "http://127.0.0.1:8222" },
    seconds: { type: "string", default: "8" },
    concurrency: { type: "string", default: "16" },
    topn: { type: "string", default: "5" },
    data: { type: "string" },
    "skip-nats": { type: "boolean", default: false },
  },
});
const SECONDS = Number(flags.seconds);
const CONCURRENCY = Number(flags.concurrency);
const TOPN = Number(flags.topn);
const COLLECTION = flags.collection;
if (!(SECONDS > 0) || !(CONCURRENCY >= 1) || !(TOPN >= 1 && TOPN <= 50)) throw new Error("--seconds > 0, --concurrency ≥ 1 and --topn 1-50, please");
const log = (message: string) => void process.stderr.write(`${message}\n`);

const scifact = join(dataDirectory(flags.data), "scifact");
const docs: BenchDocument[] = loadCorpus(scifact);
const questions = loadTestQueries(scifact).map((q) => q.text);
log(`SciFact: ${docs.length} documents, ${questions.length} test questions; ${CONCURRENCY} in flight, ${SECONDS} s per variant`);

interface VariantResult {
  name: string;
  queries: number;
  errors: number;
  seconds: number;
  queriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the processes doing the work, ms per query (in process: this one; over NATS: services + nats-server). */
  cpuMsPerQuery?: number;
  resources?: ProcessUsage[];
}

/** `CONCURRENCY` workers each asking the next question when the last is answered, for SECONDS. */
async function closedLoop(name: string, ask: (question: string) => Promise<boolean>, sampleResources?: () => { stop(): Promise<ProcessUsage[]> }): Promise<VariantResult> {
  // Warm-up: JIT, caches, connections.
  for (let i = 0; i < 50; i++) await ask(questions[i % questions.length] ?? "");
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const sampler = sampleResources?.();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const question = questions[next++ % questions.length] ?? "";
        const t0 = performance.now();
        const ok = await ask(question);
        // Throughput and CPU per query count answered queries only: a refusal is not the work compared.
        if (ok) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const resources = sampler ? await sampler.stop() : undefined;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const queriesPerSecond = latencies.length / seconds;
  let cpuMsPerQuery = ((cpu.user + cpu.system) / 1000) / latencies.length;
  if (resources) {
    const serving = resources.filter((r) => r.process !== CLIENT_PROCESS && r.cpuPercent !== undefined);
    cpuMsPerQuery = serving.length === 0 ? Number.NaN : (serving.reduce((sum, r) => sum + (r.cpuPercent ?? 0), 0) / 100 / queriesPerSecond) * 1000;
  }
  const result: VariantResult = { name, queries: latencies.length, errors, seconds, queriesPerSecond, p50Ms: at(50), p99Ms: at(99), cpuMsPerQuery, ...(resources ? { resources } : {}) };
  log(`  ${name}: ${queriesPerSecond.toFixed(0)} q/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${cpuMsPerQuery.toFixed(2)} CPU ms/query, ${errors} errors`);
  return result;
}

// ── 1. LangChain.js ────────────────────────────────────────────────────────────────────────────
const index = new Bm25Index();
for (const doc of docs) index.upsert(doc.title === "" ? { id: doc.id, text: doc.text } : doc);

/** A LangChain retriever over this project's BM25 index. */
class KbalignBm25Retriever extends BaseRetriever {
  override lc_namespace = ["kbalign", "retrievers"];
  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    return index.search(query, TOPN).map((hit) => new Document({ pageContent: hit.text, metadata: { id: hit.id, title: hit.title, score: hit.score } }));
  }
}

const DOC_SEPARATOR = "\n\n<<doc>>\n\n";
/**
 * A LangChain chat model over this project's extractive answerer: the system message carries the
 * documents (separated), the last human message the question; streamed one sentence per chunk.
 */
class ExtractiveChatModel extends SimpleChatModel {
  constructor(private readonly purpose: "first_answer" | "final_answer") {
    super({});
  }
  _llmType(): string {
    return "kbalign-extractive";
  }
  private chunks(messages: BaseMessage[]): string[] {
    const system = messages.find((m) => m.getType() === "system");
    const human = messages.findLast((m) => m.getType() === "human");
    const documents = String(system?.content ?? "").split(DOC_SEPARATOR).filter((text) => text !== "").map((text) => ({ text }));
    return extractiveChunks(String(human?.content ?? ""), documents, defaultExtractiveLimits[this.purpose]);
  }
  async _call(messages: BaseMessage[]): Promise<string> {
    return this.chunks(messages).join("");
  }
  override async *_streamResponseChunks(messages: BaseMessage[]): AsyncGenerator<ChatGenerationChunk> {
    for (const text of this.chunks(messages)) yield new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
  }
}

const retriever = new KbalignBm25Retriever();
const firstModel = new ExtractiveChatModel("first_answer");
const finalModel = new ExtractiveChatModel("final_answer");
const prompt = (question: string, documents: Document[]) => [new SystemMessage(documents.map((d) => d.pageContent).join(DOC_SEPARATOR)), new HumanMessage(question)];
/** recall → first answer → expansion recall (question + "\n" + first answer); the final answer is streamed after. */
const langchainChain = RunnableSequence.from([
  RunnableLambda.from(async (question: string) => ({ question, recall: await retriever.invoke(question) })),
  RunnableLambda.from(async (s: { question: string; recall: Document[] }) => ({ ...s, first: String((await firstModel.invoke(prompt(s.question, s.recall))).content) })),
  RunnableLambda.from(async (s: { question: string; recall: Document[]; first: string }) => ({ ...s, expansion: await retriever.invoke(`${s.question}\n${s.first}`) })),
]);
async function askLangchain(question: string): Promise<boolean> {
  const state = await langchainChain.invoke(question);
  let chunks = 0;
  for await (const _chunk of await finalModel.stream(prompt(question, state.expansion))) chunks++;
  return chunks > 0 && state.recall.length > 0;
}

// ── 2. this project's library, in process ─────────────────────────────────────────────────────
const pipeline = new KBAlign(createInProcessRetriever({ [COLLECTION]: docs.map((d) => (d.title === "" ? { id: d.id, text: d.text } : d)) }), createInProcessGenerator());
async function askLibrary(question: string): Promise<boolean> {
  let state = "";
  for await (const event of pipeline.run({ query: question, collection: COLLECTION, topn: TOPN })) state = event.state;
  return state === "done";
}

const results: VariantResult[] = [];
results.push(await closedLoop("LangChain.js runnables (in process)", askLangchain));
results.push(await closedLoop("kbalign library (in process)", askLibrary));

// ── 3. over NATS, and one bare NATS hop ───────────────────────────────────────────────────────
let hop: { oneAtATimeP50Ms: number; oneAtATimeP99Ms: number; inFlightPerSecond: number; cpuMsPerHop?: number } | undefined;
if (!flags["skip-nats"]) {
  const nc: NatsConnection = await connect({ servers: flags.nats, noAsyncTraces: true });
  const varzUrl = new URL("varz", flags["nats-monitor"].endsWith("/") ? flags["nats-monitor"] : `${flags["nats-monitor"]}/`).href;
  const sampler = () => startResourceSampler({ metricsUrls: flags.metrics, varzUrl, onProblem: (m: string) => log(`  warning: ${m}`) });
  const askNats = async (question: string) => {
    const sample = await measureRequest(nc, { id: "q", text: question }, { collection: COLLECTION, topn: TOPN, timeoutMs: 30_000 }, { index: 0, phaseStartMs: 0 });
    return sample.outcome === "done";
  };
  results.push(await closedLoop("kbalign over NATS (3 services + nats-server)", askNats, sampler));

  // A bare hop: a responder in this process echoing 500 bytes, through the same nats-server.
  const payload = new Uint8Array(500);
  const echo = nc.subscribe("kbalign.bench.echo", { callback: (_err, msg) => void msg.respond(payload) });
  await nc.flush();
  const single: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const t0 = performance.now();
    await nc.request("kbalign.bench.echo", payload, { timeout: 5_000 });
    single.push(performance.now() - t0);
  }
  single.sort((a, b) => a - b);
  const cpuStart = process.cpuUsage();
  const hopSampler = startResourceSampler({ metricsUrls: [], varzUrl, onProblem: () => undefined });
  const start = performance.now();
  let count = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() - start < 3_000) {
        await nc.request("kbalign.bench.echo", payload, { timeout: 5_000 });
        count++;
      }
    }),
  );
  const hopSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const natsUsage = (await hopSampler.stop()).find((r) => r.process === "nats-server");
  const natsCpuSeconds = ((natsUsage?.cpuPercent ?? Number.NaN) / 100) * hopSeconds;
  hop = {
    oneAtATimeP50Ms: single[Math.floor(single.length / 2)] ?? 0,
    oneAtATimeP99Ms: single[Math.floor(single.length * 0.99)] ?? 0,
    inFlightPerSecond: count / hopSeconds,
    cpuMsPerHop: (((cpu.user + cpu.system) / 1e6 + natsCpuSeconds) / count) * 1000,
  };
  log(`  one NATS hop (request-reply, 500 B): p50 ${hop.oneAtATimeP50Ms.toFixed(3)} ms one at a time; ${hop.inFlightPerSecond.toFixed(0)}/s at ${CONCURRENCY} in flight, ${hop.cpuMsPerHop?.toFixed(3)} CPU ms per hop (requester + responder + nats-server)`);
  echo.unsubscribe();
  await nc.close();
}

// ── report ───────────────────────────────────────────────────────────────────────────────────
const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
const lang = byName("LangChain");
const lib = byName("kbalign library");
const nats = byName("kbalign over NATS");
/** Messages between processes per query over NATS: query (+ its stream), 2 retrieves, 2 generates. */
const HOPS_PER_QUERY = 5;
const lines = [
  `# KBAlign three ways: LangChain.js, the library in process, over NATS`,
  "",
  `SciFact (${docs.length} documents, ${questions.length} test questions), topn ${TOPN}, extractive generator; closed loop, ${CONCURRENCY} in flight, ${SECONDS} s per variant after 50 warm-up queries; ${cpus().length} × ${cpus()[0]?.model.trim()}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ${new Date().toISOString()}.`,
  "",
  "| variant | queries/s | p50 ms | p99 ms | CPU ms per query | errors |",
  "| --- | ---: | ---: | ---: | ---: | ---: |",
  ...results.map((r) => `| ${r.name} | ${r.queriesPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.cpuMsPerQuery?.toFixed(2) ?? "–"} | ${r.errors} |`),
  "",
  ...(lang && lib ? [`- the library in process / LangChain.js: **${(lib.queriesPerSecond / lang.queriesPerSecond).toFixed(2)}×** the queries/s`] : []),
  ...(lang && nats ? [`- over NATS / LangChain.js: **${(nats.queriesPerSecond / lang.queriesPerSecond).toFixed(2)}×** the queries/s (target ≥ 1.5×)`] : []),
  ...(lib && nats && nats.cpuMsPerQuery && lib.cpuMsPerQuery ? [`- CPU per query, over NATS / in process: **${(nats.cpuMsPerQuery / lib.cpuMsPerQuery).toFixed(2)}×** (target ≤ 2×)`] : []),
  ...(hop && lib && nats
    ? [
        `- one bare NATS hop here (nats.js request-reply, 500 B): p50 ${hop.oneAtATimeP50Ms.toFixed(3)} ms one at a time, p99 ${hop.oneAtATimeP99Ms.toFixed(3)} ms; ${hop.inFlightPerSecond.toFixed(0)}/s at ${CONCURRENCY} in flight; ${hop.cpuMsPerHop?.toFixed(3)} CPU ms per hop`,
        `- the pipeline's cost of distribution per hop (${HOPS_PER_QUERY} hops per query): ${(((nats.cpuMsPerQuery ?? 0) - (lib.cpuMsPerQuery ?? 0)) / HOPS_PER_QUERY).toFixed(3)} CPU ms, ${((nats.p50Ms - lib.p50Ms) / HOPS_PER_QUERY).toFixed(3)} ms of p50 latency at ${CONCURRENCY} in flight`,
      ]
    : []),
];
const markdown = lines.join("\n");
process.stdout.write(`${markdown}\n`);
writeFileSync(join(resultsDirectory, "compare-pipelines.md"), `${markdown}\n`);
writeFileSync(join(resultsDirectory, "compare-pipelines.json"), `${JSON.stringify({ at: new Date().toISOString(), concurrency: CONCURRENCY, seconds: SECONDS, topn: TOPN, results, hop, medianLatencyMs: median(results.map((r) => r.p50Ms)) }, null, 2)}\n`);
log(`results written to ${join(resultsDirectory, "compare-pipelines.{md,json}")}`);
