import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_PROCESS, NATS_SERVER_PROCESS, readVarz, startResourceSampler, summarizeReadings } from "./resource-sampler.js";

describe("summarizeReadings", () => {
  it("takes CPU from a counter's first and last readings, and the largest RSS", () => {
    const usage = summarizeReadings([
      { process: "retriever", atMs: 0, cpuSeconds: 10, rssBytes: 100 },
      { process: "retriever", atMs: 1_000, cpuSeconds: 10.2, rssBytes: 300 },
      { process: "retriever", atMs: 2_000, cpuSeconds: 10.5, rssBytes: 200 },
    ]);
    expect(usage).toHaveLength(1);
    expect(usage[0]?.cpuPercent).toBeCloseTo(25, 6);
    expect(usage[0]?.rssMaxBytes).toBe(300);
    expect(usage[0]?.readings).toBe(3);
  });

  it("averages a CPU gauge where there is no counter (nats-server's /varz)", () => {
    const [nats] = summarizeReadings([
      { process: NATS_SERVER_PROCESS, atMs: 0, cpuPercent: 10, rssBytes: 5 },
      { process: NATS_SERVER_PROCESS, atMs: 1_000, cpuPercent: 30, rssBytes: 7 },
    ]);
    expect(nats?.cpuPercent).toBeCloseTo(20, 6);
    expect(nats?.rssMaxBytes).toBe(7);
  });

  it("gives no CPU figure for a counter that went down (a restart) or a single reading", () => {
    const usage = summarizeReadings([
      { process: "a", atMs: 0, cpuSeconds: 5 },
      { process: "a", atMs: 1_000, cpuSeconds: 1 },
      { process: "b", atMs: 0, cpuSeconds: 5 },
    ]);
    expect(usage.map((u) => u.cpuPercent)).toEqual([undefined, undefined]);
  });
});

describe("readVarz and the sampler", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const serve = async (routes: Record<string, string>): Promise<string> => {
    server = createServer((req, res) => {
      // By path: the scraper may add a query (name[]=…) that a plain exporter ignores.
      const body = routes[(req.url ?? "").split("?")[0] ?? ""];
      res.writeHead(body === undefined ? 404 : 200).end(body ?? "");
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  };

  it("reads cpu and mem from /varz, and says what is wrong with anything else", async () => {
    const base = await serve({ "/varz": JSON.stringify({ cpu: 12.5, mem: 42_000_000 }), "/other": "{}" });
    expect(await readVarz(`${base}/varz`)).toMatchObject({ process: NATS_SERVER_PROCESS, cpuPercent: 12.5, rssBytes: 42_000_000 });
    expect(await readVarz(`${base}/other`)).toMatch(/no numeric 'cpu' and 'mem'/);
    expect(await readVarz(`${base}/missing`)).toBe("HTTP 404");
  });

  it("samples services, nats-server and itself, and reports an unreachable source once", async () => {
    const metrics = ['process_cpu_seconds_total{service="kbalign-retriever"} 3', 'process_resident_memory_bytes{service="kbalign-retriever"} 9000', ""].join("\n");
    const base = await serve({ "/metrics": metrics, "/varz": JSON.stringify({ cpu: 1, mem: 2 }) });
    const problems: string[] = [];
    const sampler = startResourceSampler({
      metricsUrls: [`${base}/metrics`, `${base}/gone`],
      varzUrl: `${base}/varz`,
      intervalMs: 20,
      onProblem: (m) => problems.push(m),
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const usage = await sampler.stop();
    expect(usage.map((u) => u.process).sort()).toEqual([CLIENT_PROCESS, "kbalign-retriever", NATS_SERVER_PROCESS].sort());
    expect(usage.find((u) => u.process === "kbalign-retriever")?.rssMaxBytes).toBe(9000);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/\/gone: HTTP 404/);
  });
});
