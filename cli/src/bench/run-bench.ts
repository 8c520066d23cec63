import { performance } from "node:perf_hooks";
import type { NatsConnection } from "@kbalign/nats";
import { CliError } from "../errors.js";
import { measureRequest, type MeasureOptions, type RequestSample } from "./measure-request.js";
import type { BenchQuestion } from "./questions.js";
import { resourceUsage, scrapeProcessMetrics, type Scrape, type ServiceResources } from "./resource-scrape.js";

export interface BenchOptions {
  collection: string;
  /** Asked in turn, from the first, cycling. */
  questions: readonly BenchQuestion[];
  /** Measured requests. */
  requests: number;
  /** Requests in flight at once: each of this many workers sends its next when its last ends. */
  concurrency: number;
  /** Requests sent first and not measured (connections, JIT and caches warm up). */
  warmup: number;
  topn?: number;
  timeoutMs: number;
  /** Prometheus endpoints scraped before and after the measured phase. */
  metricsUrls: readonly string[];
  /** Stop sending: the requests in flight still end and count. */
  stop?: AbortSignal;
  /** Stop waiting: the requests in flight end at once, as `abandoned`. */
  abandon?: AbortSignal;
  /** A request ended (measured phase only). */
  onSample?: (sample: RequestSample) => void;
  onWarning?: (message: string) => void;
}

export interface WarmupResult {
  requests: number;
  ok: number;
  /** Codes of the warm-up requests that did not end in `done`, with counts. */
  failures: Record<string, number>;
}

/** What a run measured; summary.ts turns it into aggregates. */
export interface BenchRun {
  /** When the measured phase began (ISO 8601). */
  startedAt: string;
  /** From the first measured request sent to the last one ended. */
  wallMs: number;
  warmup: WarmupResult;
  /** In the order they were sent. */
  samples: RequestSample[];
  /** True when a stop or abandon cut the run short. */
  interrupted: boolean;
  /** One row per service found on the --metrics URLs, then the bench process itself. */
  resources: ServiceResources[];
  warnings: string[];
}

/** Name of the bench's own row in the resources table. */
export const CLIENT_PROCESS_NAME = "kbalign bench (this client)";

/**
 * A closed-loop benchmark over the public contract: `warmup` requests, then `requests` measured
 * ones with `concurrency` in flight, the services' /metrics scraped on either side.
 * Throws (nothing measured) only when every warm-up request failed without an answer.
 */
export async function runBench(nc: NatsConnection, options: BenchOptions): Promise<BenchRun> {
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const measure: MeasureOptions = {
    collection: options.collection,
    timeoutMs: options.timeoutMs,
    ...(options.topn === undefined ? {} : { topn: options.topn }),
    ...(options.abandon ? { abandon: options.abandon } : {}),
  };
  const questionAt = (i: number): BenchQuestion => {
    const question = options.questions[i % options.questions.length];
    if (question === undefined) throw new RangeError("runBench needs at least one question");
    return question;
  };

  const warmup = await runWarmup(nc, options, measure, questionAt);

  const before = await scrapeAll(options.metricsUrls, warn, "before");
  const cpuBefore = process.cpuUsage();
  const startedAt = new Date().toISOString();
  const phaseStartMs = performance.now();
  const samples: RequestSample[] = [];
  await closedLoop(options.requests, options.concurrency, stopped(options), async (index) => {
    const sample = await measureRequest(nc, questionAt(index), measure, { index, phaseStartMs });
    samples.push(sample);
    options.onSample?.(sample);
  });
  const wallMs = performance.now() - phaseStartMs;
  const clientCpu = process.cpuUsage(cpuBefore);
  const after = await scrapeAll(options.metricsUrls, warn, "after");

  const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
  const resources: ServiceResources[] = [
    ...options.metricsUrls.flatMap((url, i) => {
      const [start, end] = [before[i], after[i]];
      return start && end ? resourceUsage(start, end) : [];
    }),
    {
      service: CLIENT_PROCESS_NAME,
      url: "",
      rssAfterBytes: process.memoryUsage.rss(),
      cpuSeconds: clientCpuSeconds,
      ...(wallMs > 0 ? { cpuPercent: (clientCpuSeconds / (wallMs / 1000)) * 100 } : {}),
    },
  ];
  samples.sort((a, b) => a.index - b.index);
  const interrupted = samples.length < options.requests || samples.some((s) => s.outcome === "abandoned");
  return { startedAt, wallMs, warmup, samples, interrupted, resources, warnings };
}

async function runWarmup(
  nc: NatsConnection,
  options: BenchOptions,
  measure: MeasureOptions,
  questionAt: (i: number) => BenchQuestion,
): Promise<WarmupResult> {
  const result: WarmupResult = { requests: 0, ok: 0, failures: {} };
  let answered = 0;
  await closedLoop(options.warmup, options.concurrency, stopped(options), async (index) => {
    const sample = await measureRequest(nc, questionAt(index), measure, { index, phaseStartMs: 0 });
    if (sample.outcome === "abandoned") return;
    result.requests++;
    if (sample.events > 0) answered++;
    if (sample.outcome === "done") result.ok++;
    else result.failures[sample.code ?? "UNKNOWN"] = (result.failures[sample.code ?? "UNKNOWN"] ?? 0) + 1;
  });
  // A stack that never answers would otherwise cost `requests` client timeouts to learn nothing.
  if (result.requests > 0 && answered === 0) {
    const codes = Object.entries(result.failures)
      .map(([code, count]) => `${code} ×${count}`)
      .join(", ");
    throw new CliError(`nothing to measure: none of the ${result.requests} warm-up request(s) got an answer (${codes}). Is the stack running? (\`kbalign up\`)`);
  }
  return result;
}

/**
 * Runs `task(0 … count-1)` on `concurrency` workers, each starting its next task when its last
 * ends (a closed loop: the load adapts to the service, so latency is not inflated by a queue the
 * bench itself builds). Once `stopped()`, no task starts; the ones in flight end.
 */
export async function closedLoop(count: number, concurrency: number, stopped: () => boolean, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !stopped()) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const stopped = (options: BenchOptions) => (): boolean => Boolean(options.stop?.aborted || options.abandon?.aborted);

async function scrapeAll(urls: readonly string[], warn: (message: string) => void, when: "before" | "after"): Promise<Scrape[]> {
  const scrapes = await Promise.all(urls.map((url) => scrapeProcessMetrics(url)));
  for (const scrape of scrapes) if (!scrape.ok) warn(`--metrics ${scrape.url}: ${scrape.problem} (scrape ${when} the run; the bench goes on without it)`);
  return scrapes;
}
