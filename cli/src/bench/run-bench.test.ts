import { readdir, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryRequest, Subjects } from "@kbalign/contracts";
import { connectNats, decodeJson, encodeJson, type NatsConnection } from "@kbalign/nats";
import { freePort, startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { runCli } from "../program.js";
import { memoryTerminal } from "../terminal.js";
import type { BenchReport } from "./bench-report.js";
import { runBench, type BenchOptions } from "./run-bench.js";

/**
 * A stand-in orchestrator on a real nats-server, answering the public contract; the question
 * decides the answer, so every outcome the bench counts is produced on purpose.
 */
function serveFakeOrchestrator(nc: NatsConnection) {
  const seen = { requests: 0, inFlight: 0, maxInFlight: 0 };
  const recall = { value: ["Tides are caused by the Moon."], docs: [{ id: "en-tides", score: 3.2 }] };
  const timings = { recall: 1, first_answer: 2, query_expansion_recall: 1, final_answer: 3, total: 7 };
  nc.subscribe(Subjects.query, {
    callback: (_err, msg) => {
      const request = QueryRequest.parse(decodeJson(msg.data));
      seen.requests++;
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      let seq = 0;
      const send = (event: object) => msg.respond(encodeJson({ requestId: request.requestId, seq: seq++, ...event }));
      const end = (event: object) => {
        seen.inFlight--;
        send(event);
      };
      const answer = (degraded: object[] = []) => {
        send({ state: "recall", ...recall });
        send({ state: "first_answer", value: "The Moon." });
        send({ state: "query_expansion_recall", ...recall });
        send({ state: "data", value: "The Moon's " });
        send({ state: "data", value: "gravity." });
        const { query_expansion_recall: _skipped, ...withoutExpansion } = timings;
        end({ state: "done", value: "", timingsMs: degraded.length > 0 ? withoutExpansion : timings, degraded });
      };
      switch (request.query) {
        case "degraded":
          return answer([{ stage: "query_expansion_recall", code: "TIMEOUT", fallback: "answered from the first recall", message: "retrieve timed out" }]);
        case "overloaded":
          return end({ state: "error", value: "too many requests in flight", code: "OVERLOADED", retryable: true });
        case "missing":
          return end({ state: "error", value: "collection 'docs' not found", code: "COLLECTION_NOT_FOUND", retryable: false });
        case "slow":
          setTimeout(answer, 100);
          return;
        case "hang":
          send({ state: "recall", ...recall });
          return;
        default:
          return answer();
      }
    },
  });
  return seen;
}

/** A /metrics endpoint like a service's: its CPU counter grows by 0.5 s per scrape. */
async function serveMetrics(): Promise<{ url: string; server: Server }> {
  let cpuSeconds = 10;
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "text/plain; version=0.0.4");
    res.end(
      [
        "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
        "# TYPE process_cpu_seconds_total counter",
        `process_cpu_seconds_total{service="kbalign-orchestrator"} ${cpuSeconds}`,
        "# TYPE process_resident_memory_bytes gauge",
        `process_resident_memory_bytes{service="kbalign-orchestrator"} ${64 * 1024 * 1024}`,
        "",
      ].join("\n"),
    );
    cpuSeconds += 0.5;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return { url: `http://127.0.0.1:${address.port}/metrics`, server };
}

describe("kbalign bench against a stand-in orchestrator on a real nats-server", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let seen: ReturnType<typeof serveFakeOrchestrator>;
  let metrics: { url: string; server: Server };
  let dir: string;
  let questionsFile: string;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    nc = await connectNats({ url: server.url, name: "bench-test-orchestrator" });
    seen = serveFakeOrchestrator(nc);
    await nc.flush();
    metrics = await serveMetrics();
    dir = await mkdtemp(join(tmpdir(), "kbalign-bench-"));
    questionsFile = join(dir, "questions.txt");
    await writeFile(questionsFile, "What causes tides?\ndegraded\noverloaded\nmissing\n");
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    metrics?.server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const terminal = memoryTerminal();
    const code = await runCli(["node", "kbalign", "bench", ...args], terminal, {});
    return { code, out: terminal.out(), err: terminal.err() };
  };
  const resultFiles = async (outDir: string) => (await readdir(outDir).catch(() => [])).sort();

  it("measures the requests, counts errors by code, and writes the JSON and Markdown results", async () => {
    const outDir = join(dir, "results");
    const unreachable = `http://127.0.0.1:${await freePort()}/metrics`;
    const before = seen.requests;
    Object.assign(seen, { inFlight: 0, maxInFlight: 0 });
    const { code, out, err } = await cli(
      ...["--collection", "docs", "--queries", questionsFile, "--requests", "12", "--concurrency", "3", "--warmup", "2"],
      ...["--metrics", metrics.url, "--metrics", unreachable, "--out", outDir, "--label", "fake run", "--nats", server.url],
    );
    expect(code, err).toBe(0);
    expect(seen.requests - before).toBe(14);
    expect(seen.maxInFlight).toBeLessThanOrEqual(3);
    expect(err).toContain(`warning: --metrics ${unreachable}: `);

    const files = await resultFiles(outDir);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-fake-run\.json$/);
    expect(files[1]).toBe(files[0]?.replace(/\.json$/, ".md"));
    expect(out).toContain(`results  ${join(outDir, files[0] ?? "")}\n         ${join(outDir, files[1] ?? "")}`);

    const report = JSON.parse(await readFile(join(outDir, files[0] ?? ""), "utf8")) as BenchReport;
    expect(report).toMatchObject({
      format: "kbalign-bench/1",
      interrupted: false,
      setup: { collection: "docs", label: "fake run", questionsSource: questionsFile, questionCount: 4, requests: 12, concurrency: 3, warmup: 2, timeoutMs: 30_000 },
      warmup: { requests: 2, ok: 2, failures: {} },
      summary: {
        requests: 12,
        ok: 6,
        errors: 6,
        errorRate: 0.5,
        answered: 12,
        abandoned: 0,
        errorsByCode: [
          { code: "COLLECTION_NOT_FOUND", where: "server", count: 3 },
          { code: "OVERLOADED", where: "server", count: 3 },
        ],
        degraded: { requests: 3, byReason: [{ reason: "query_expansion_recall:TIMEOUT", count: 3 }] },
        contractProblems: 0,
      },
    });
    expect(report.environment.cpuCount).toBeGreaterThan(0);
    expect(report.environment.node).toBe(process.version);
    const { latencyMs, serverMedianMs } = report.summary;
    expect([latencyMs.firstEvent?.count, latencyMs.firstData?.count, latencyMs.done?.count, latencyMs.error?.count]).toEqual([12, 6, 6, 6]);
    expect(latencyMs.done?.p50).toBeGreaterThanOrEqual(latencyMs.firstData?.min ?? Number.POSITIVE_INFINITY);
    expect(serverMedianMs).toEqual([
      { stage: "recall", medianMs: 1, count: 6 },
      { stage: "first_answer", medianMs: 2, count: 6 },
      { stage: "query_expansion_recall", medianMs: 1, count: 3 },
      { stage: "final_answer", medianMs: 3, count: 6 },
      { stage: "total", medianMs: 7, count: 6 },
    ]);
    expect(report.samples.map((s) => s.index)).toEqual([...Array(12).keys()]);
    expect(report.samples.map((s) => s.questionId).slice(0, 4)).toEqual(["line 1", "line 2", "line 3", "line 4"]);
    expect(report.samples[2]).toMatchObject({ outcome: "error", code: "OVERLOADED", events: 1, dataEvents: 0 });
    expect(report.samples[0]).toMatchObject({ outcome: "done", events: 6, dataEvents: 2, degraded: [] });

    const [orchestrator, missing, client] = report.resources;
    expect(orchestrator).toMatchObject({ service: "kbalign-orchestrator", url: metrics.url, rssAfterBytes: 64 * 1024 * 1024, cpuSeconds: 0.5 });
    expect(orchestrator?.cpuPercent).toBeGreaterThan(0);
    expect(missing).toMatchObject({ url: unreachable, problem: expect.stringContaining("unreachable after the run") });
    expect(client?.service).toBe("kbalign bench (this client)");
    expect(report.warnings).toHaveLength(2);

    const markdown = await readFile(join(outDir, files[1] ?? ""), "utf8");
    expect(markdown).toMatch(/^# kbalign bench · fake run · \d{4}-/);
    expect(markdown).toContain("| to | count | min | p50 | p90 | p95 | p99 | max | mean |");
    expect(markdown).toMatch(/\| done \| 6 \| /);
    expect(markdown).toContain("| COLLECTION_NOT_FOUND | server | 3 | 25.00 % |");
    expect(markdown).toContain("| kbalign-orchestrator | 64.0 |");

    // The printed tables are the Markdown's, as aligned text.
    expect(out).toContain("errors: 6 of 12 (50.00 %)");
    expect(out).toMatch(/\n {2}OVERLOADED +server +3 +25\.00 %\n/);
    expect(out).toMatch(/\n {2}load +12 requests, 3 in flight \(closed loop\), after 2 warm-up\n/);
    expect(out).toContain("degraded: 3 of 6 done");
  });

  it("counts a request with no terminal event in time as CLIENT_TIMEOUT", async () => {
    const run = await runBench(nc, options({ questions: [{ id: "h", text: "hang" }], requests: 1, timeoutMs: 100 }));
    expect(run.samples).toMatchObject([{ outcome: "failed", code: "CLIENT_TIMEOUT", events: 1 }]);
    expect(run.samples[0]?.firstEventMs).toBeDefined();
    expect(run.interrupted).toBe(false);
  });

  it("stop: sends no more requests, lets the ones in flight end, and counts them", async () => {
    const stop = new AbortController();
    const run = await runBench(nc, options({ questions: [{ id: "s", text: "slow" }], requests: 50, concurrency: 2, stop: stop.signal, onSample: () => stop.abort() }));
    expect(run.interrupted).toBe(true);
    expect(run.samples.length).toBeGreaterThanOrEqual(1);
    expect(run.samples.length).toBeLessThanOrEqual(2);
    expect(run.samples.every((s) => s.outcome === "done")).toBe(true);
  });

  it("abandon: stops waiting for the requests in flight, which are kept but not counted", async () => {
    const abandon = new AbortController();
    const before = seen.requests;
    const running = runBench(nc, options({ questions: [{ id: "h", text: "hang" }], requests: 5, concurrency: 2, abandon: abandon.signal }));
    while (seen.requests - before < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    abandon.abort();
    const run = await running;
    expect(run.interrupted).toBe(true);
    expect(run.samples).toMatchObject([
      { outcome: "abandoned", code: "ABANDONED" },
      { outcome: "abandoned", code: "ABANDONED" },
    ]);
  });

  it("exits 1 without writing results when no warm-up request gets an answer", async () => {
    const empty = await startNatsServer({ jetstream: false });
    const outDir = join(dir, "none");
    try {
      const { code, err } = await cli("--collection", "docs", "--requests", "5", "--warmup", "2", "--nats", empty.url, "--out", outDir);
      expect(code).toBe(1);
      expect(err).toContain("nothing to measure: none of the 2 warm-up request(s) got an answer (UNAVAILABLE ×2)");
      expect(await resultFiles(outDir)).toEqual([]);
    } finally {
      await empty.stop();
    }
  });

  it("without warm-up, reports the failures (UNAVAILABLE, client side) and still exits 1", async () => {
    const empty = await startNatsServer({ jetstream: false });
    const outDir = join(dir, "unavailable");
    try {
      const { code, err } = await cli("--collection", "docs", "--requests", "3", "--warmup", "0", "--nats", empty.url, "--out", outDir);
      expect(code).toBe(1);
      expect(err).toContain("no measured request got an answer");
      const [json] = await resultFiles(outDir);
      const report = JSON.parse(await readFile(join(outDir, json ?? ""), "utf8")) as BenchReport;
      expect(report.summary).toMatchObject({ requests: 3, ok: 0, answered: 0, errorsByCode: [{ code: "UNAVAILABLE", where: "client", count: 3 }] });
    } finally {
      await empty.stop();
    }
  });

  it("exits 1 with a clear message when NATS cannot be reached", async () => {
    const { code, err } = await cli("--collection", "docs", "--nats", `nats://127.0.0.1:${await freePort()}`, "--out", join(dir, "never"));
    expect(code).toBe(1);
    expect(err).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+/);
  });

  it.each([
    [["--collection", "docs", "--concurrency", "0"], "'--concurrency <c>' argument '0' is invalid"],
    [["--collection", "docs", "--requests", "1.5"], "'--requests <n>' argument '1.5' is invalid"],
    [["--collection", "docs", "--metrics", "ftp://host/metrics"], "must be an http(s) URL"],
    [["--requests", "5"], "required option '--collection <name>' not specified"],
    [["--collection", "docs", "--queries", "/does/not/exist.jsonl"], "--queries /does/not/exist.jsonl: cannot read it"],
  ])("exits 2 for %j", async (args, message) => {
    const { code, err } = await cli(...args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  const options = (overrides: Partial<BenchOptions>): BenchOptions => ({
    collection: "docs",
    questions: [{ id: "q", text: "What causes tides?" }],
    requests: 1,
    concurrency: 1,
    warmup: 0,
    timeoutMs: 5_000,
    metricsUrls: [],
    ...overrides,
  });
});
