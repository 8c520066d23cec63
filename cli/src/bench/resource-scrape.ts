import { performance } from "node:perf_hooks";
import { parsePrometheusText, type PromSample } from "./prometheus-text.js";

/** A /metrics endpoint that does not answer within this is reported as unreachable. */
const SCRAPE_TIMEOUT_MS = 3_000;

const RSS_METRIC = "process_resident_memory_bytes";
const CPU_METRIC = "process_cpu_seconds_total";

/**
 * The URL asking only for what is read (`?name[]=…`, which kbalign's services serve; other exporters
 * ignore it and send everything): a full render costs a service about 5 CPU ms, every second of a
 * run, counted in its CPU. prom-client's CPU user counter updates the total when collected, so it
 * comes first. A URL with a query of its own is left as it is.
 */
export function narrowedScrapeUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.search !== "") return url;
  for (const name of ["process_cpu_user_seconds_total", CPU_METRIC, RSS_METRIC]) parsed.searchParams.append("name[]", name);
  return parsed.href;
}

/** One process's counters at one moment, as its /metrics showed them. */
export interface ProcessReading {
  /** The `service` label, or the URL's host:port when there is none. */
  service: string;
  rssBytes?: number;
  cpuSeconds?: number;
}

export type Scrape =
  | { url: string; ok: true; atMs: number; processes: ProcessReading[] }
  | { url: string; ok: false; problem: string };

/** What one service used during the measured phase. */
export interface ServiceResources {
  service: string;
  url: string;
  rssAfterBytes?: number;
  /** CPU seconds used between the two scrapes. */
  cpuSeconds?: number;
  /** cpuSeconds over the time between the two scrapes, as % of one core (may exceed 100). */
  cpuPercent?: number;
  /** Why a figure is missing. */
  problem?: string;
}

/** Fetches `url` and reads RSS and CPU time per `service`; never throws (see `problem`). */
export async function scrapeProcessMetrics(url: string, timeoutMs = SCRAPE_TIMEOUT_MS): Promise<Scrape> {
  let text: string;
  try {
    const response = await fetch(narrowedScrapeUrl(url), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { url, ok: false, problem: `HTTP ${response.status}` };
    text = await response.text();
  } catch (err) {
    // fetch hides the reason (ECONNREFUSED, …) in `cause`.
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return { url, ok: false, problem: `${err instanceof Error ? err.message : String(err)}${cause}` };
  }
  const atMs = performance.now();
  const processes = readProcesses(parsePrometheusText(text).samples, hostOf(url));
  if (processes.length === 0) return { url, ok: false, problem: `no ${RSS_METRIC} or ${CPU_METRIC} in the response` };
  return { url, ok: true, atMs, processes };
}

/** RSS and CPU per `service` label (an endpoint normally serves one process, but need not). */
export function readProcesses(samples: readonly PromSample[], fallbackService: string): ProcessReading[] {
  const byService = new Map<string, ProcessReading>();
  for (const { name, labels, value } of samples) {
    if (name !== RSS_METRIC && name !== CPU_METRIC) continue;
    const service = labels.service ?? fallbackService;
    const reading = byService.get(service) ?? { service };
    if (name === RSS_METRIC) reading.rssBytes = value;
    else reading.cpuSeconds = value;
    byService.set(service, reading);
  }
  return [...byService.values()];
}

/** Per service: RSS after the run, and CPU used between the scrapes as % of one core. */
export function resourceUsage(before: Scrape, after: Scrape): ServiceResources[] {
  if (!after.ok) return [{ service: hostOf(after.url), url: after.url, problem: `unreachable after the run (${after.problem})` }];
  return after.processes.map((end) => {
    const row: ServiceResources = { service: end.service, url: after.url, ...(end.rssBytes === undefined ? {} : { rssAfterBytes: end.rssBytes }) };
    const start = before.ok ? before.processes.find((p) => p.service === end.service) : undefined;
    if (!before.ok) return { ...row, problem: `no CPU figure: unreachable before the run (${before.problem})` };
    if (start?.cpuSeconds === undefined || end.cpuSeconds === undefined) return { ...row, problem: `no CPU figure: ${CPU_METRIC} missing` };
    const cpuSeconds = end.cpuSeconds - start.cpuSeconds;
    // A counter going down means the process restarted between the scrapes.
    if (cpuSeconds < 0) return { ...row, problem: "no CPU figure: the process restarted during the run" };
    const intervalSeconds = (after.atMs - before.atMs) / 1000;
    return { ...row, cpuSeconds, ...(intervalSeconds > 0 ? { cpuPercent: (cpuSeconds / intervalSeconds) * 100 } : {}) };
  });
}

const hostOf = (url: string): string => (URL.canParse(url) ? new URL(url).host : url);
