import { performance } from "node:perf_hooks";
import { z } from "zod";
import { scrapeProcessMetrics } from "./resource-scrape.js";

/** How often each process is read during a step. */
export const RESOURCE_SAMPLE_INTERVAL_MS = 1_000;
const VARZ_TIMEOUT_MS = 2_000;

/** One process read at one moment. `cpuSeconds` is a counter; `cpuPercent` an instantaneous gauge. */
export interface ResourceReading {
  process: string;
  atMs: number;
  rssBytes?: number;
  cpuSeconds?: number;
  cpuPercent?: number;
}

/** What one process used over a step. */
export interface ProcessUsage {
  process: string;
  /** % of one core (200 = two cores busy). */
  cpuPercent?: number;
  /** The largest resident set seen. */
  rssMaxBytes?: number;
  readings: number;
}

/** The bench process itself, read from Node (it is on the machine too). */
export const CLIENT_PROCESS = "kbalign bench (this client)";
export const NATS_SERVER_PROCESS = "nats-server";

/**
 * CPU and RSS per process from periodic readings: CPU from the first and last reading of a counter
 * (process_cpu_seconds_total), or else the mean of a gauge (nats-server's /varz `cpu`, which the
 * server itself computes over its last second); RSS as the maximum.
 */
export function summarizeReadings(readings: readonly ResourceReading[]): ProcessUsage[] {
  const byProcess = new Map<string, ResourceReading[]>();
  for (const reading of readings) byProcess.set(reading.process, [...(byProcess.get(reading.process) ?? []), reading]);
  return [...byProcess].map(([process, own]) => {
    const rss = own.flatMap((r) => (r.rssBytes === undefined ? [] : [r.rssBytes]));
    const counters = own.filter((r) => r.cpuSeconds !== undefined);
    const gauges = own.flatMap((r) => (r.cpuPercent === undefined ? [] : [r.cpuPercent]));
    let cpuPercent: number | undefined;
    const first = counters[0];
    const last = counters.at(-1);
    if (first && last && last.atMs > first.atMs && (last.cpuSeconds ?? 0) >= (first.cpuSeconds ?? 0)) {
      cpuPercent = (((last.cpuSeconds ?? 0) - (first.cpuSeconds ?? 0)) / ((last.atMs - first.atMs) / 1000)) * 100;
    } else if (gauges.length > 0) {
      cpuPercent = gauges.reduce((sum, value) => sum + value, 0) / gauges.length;
    }
    return {
      process,
      ...(cpuPercent === undefined ? {} : { cpuPercent }),
      ...(rss.length === 0 ? {} : { rssMaxBytes: Math.max(...rss) }),
      readings: own.length,
    };
  });
}

/** The two fields of nats-server's /varz the bench reads; the rest is ignored. */
const Varz = z.object({ cpu: z.number(), mem: z.number() });

/** nats-server's /varz: `cpu` (% of one core over its last second) and `mem` (RSS bytes). */
export async function readVarz(url: string): Promise<ResourceReading | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(VARZ_TIMEOUT_MS) });
    if (!response.ok) return `HTTP ${response.status}`;
    const parsed = Varz.safeParse(await response.json());
    if (!parsed.success) return "no numeric 'cpu' and 'mem' fields (is this nats-server's /varz?)";
    return { process: NATS_SERVER_PROCESS, atMs: performance.now(), cpuPercent: parsed.data.cpu, rssBytes: parsed.data.mem };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err instanceof Error ? err.message : String(err)}${cause}`;
  }
}

/** The bench's own process, now. */
export function readClient(): ResourceReading {
  const cpu = process.cpuUsage();
  return { process: CLIENT_PROCESS, atMs: performance.now(), cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss() };
}

export interface ResourceSamplerOptions {
  /** Services' Prometheus /metrics endpoints. */
  metricsUrls: readonly string[];
  /** nats-server's monitoring /varz URL. */
  varzUrl?: string;
  intervalMs?: number;
  /** A source that failed; said once per source and run. */
  onProblem?: (message: string) => void;
}

export interface ResourceSampler {
  /** Stops sampling after one last reading; the usage of every process read. */
  stop(): Promise<ProcessUsage[]>;
}

/** Reads every process at once now, then every `intervalMs` until stopped. */
export function startResourceSampler(options: ResourceSamplerOptions): ResourceSampler {
  const readings: ResourceReading[] = [];
  const reported = new Set<string>();
  const problem = (source: string, message: string) => {
    if (reported.has(source)) return;
    reported.add(source);
    options.onProblem?.(`${source}: ${message} (the bench goes on without it)`);
  };
  const readAll = async () => {
    readings.push(readClient());
    const scrapes = await Promise.all(options.metricsUrls.map((url) => scrapeProcessMetrics(url)));
    for (const scrape of scrapes) {
      if (!scrape.ok) problem(scrape.url, scrape.problem);
      else
        for (const p of scrape.processes)
          readings.push({
            process: p.service,
            atMs: scrape.atMs,
            ...(p.rssBytes === undefined ? {} : { rssBytes: p.rssBytes }),
            ...(p.cpuSeconds === undefined ? {} : { cpuSeconds: p.cpuSeconds }),
          });
    }
    if (options.varzUrl !== undefined) {
      const varz = await readVarz(options.varzUrl);
      if (typeof varz === "string") problem(options.varzUrl, varz);
      else readings.push(varz);
    }
  };
  let inFlight = readAll();
  const timer = setInterval(() => {
    inFlight = inFlight.then(readAll);
  }, options.intervalMs ?? RESOURCE_SAMPLE_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await readAll();
      return summarizeReadings(readings);
    },
  };
}
