import { Stage, type TimingsMs } from "@kbalign/contracts";
import type { RequestSample } from "./measure-request.js";
import { median, summarize, type LatencySummary } from "./stats.js";

/** Every server-side timing `done.timingsMs` can carry, in pipeline order. */
const SERVER_TIMINGS: ReadonlyArray<keyof TimingsMs> = [...Stage.options, "total"];

/** The aggregates of one run's measured requests. */
export interface BenchSummary {
  /** Measured requests that ended (abandoned ones excluded). */
  requests: number;
  ok: number;
  /** Error events plus client-side failures. */
  errors: number;
  /** errors / requests (0 when there were none). */
  errorRate: number;
  /** Per code, most frequent first; `where` says who reported it. */
  errorsByCode: Array<{ code: string; where: "server" | "client"; count: number }>;
  /** Requests that got at least one event: the service was reached. */
  answered: number;
  abandoned: number;
  /** From the first measured request sent to the last one ended. */
  wallSeconds: number;
  /** Ended requests per wall second. */
  throughputRps: number;
  okThroughputRps: number;
  /** Client-side latencies: to the first event (normally `recall`), to the first `data`, to `done`, to `error`. */
  latencyMs: { firstEvent?: LatencySummary; firstData?: LatencySummary; done?: LatencySummary; error?: LatencySummary };
  /** Median of each `done.timingsMs` field over the requests that reported it, with their count. */
  serverMedianMs: Array<{ stage: keyof TimingsMs; medianMs: number; count: number }>;
  degraded: { requests: number; byReason: Array<{ reason: string; count: number }> };
  contractProblems: number;
}

export function summarizeSamples(samples: readonly RequestSample[], wallMs: number): BenchSummary {
  const ended = samples.filter((s) => s.outcome !== "abandoned");
  const done = ended.filter((s) => s.outcome === "done");
  const failures = ended.filter((s) => s.outcome !== "done");
  const wallSeconds = wallMs / 1000;
  const perSecond = (count: number) => (wallSeconds > 0 ? count / wallSeconds : 0);
  const values = (pick: (s: RequestSample) => number | undefined, from: readonly RequestSample[] = ended) =>
    from.flatMap((s) => {
      const value = pick(s);
      return value === undefined ? [] : [value];
    });
  const latencyMs = {
    firstEvent: summarize(values((s) => s.firstEventMs)),
    firstData: summarize(values((s) => s.firstDataMs)),
    done: summarize(values((s) => s.endMs, done)),
    error: summarize(values((s) => s.endMs, failures)),
  };
  const degradedRequests = done.filter((s) => (s.degraded?.length ?? 0) > 0);
  return {
    requests: ended.length,
    ok: done.length,
    errors: failures.length,
    errorRate: ended.length > 0 ? failures.length / ended.length : 0,
    errorsByCode: countBy(failures, (s) => `${whereReported(s)} ${s.code ?? "UNKNOWN"}`).map(({ first, count }) => ({
      code: first.code ?? "UNKNOWN",
      where: whereReported(first),
      count,
    })),
    answered: ended.filter((s) => s.events > 0).length,
    abandoned: samples.length - ended.length,
    wallSeconds,
    throughputRps: perSecond(ended.length),
    okThroughputRps: perSecond(done.length),
    latencyMs,
    serverMedianMs: SERVER_TIMINGS.flatMap((stage) => {
      const stageValues = values((s) => s.timingsMs?.[stage], done);
      return stageValues.length === 0 ? [] : [{ stage, medianMs: median(stageValues), count: stageValues.length }];
    }),
    degraded: {
      requests: degradedRequests.length,
      byReason: countBy(degradedRequests.flatMap((s) => s.degraded ?? []), (reason) => reason).map(({ first, count }) => ({ reason: first, count })),
    },
    contractProblems: ended.reduce((total, s) => total + s.contractProblems, 0),
  };
}

const whereReported = (s: RequestSample): "server" | "client" => (s.outcome === "error" ? "server" : "client");

/** Items grouped by `key`: the first of each group and its size, largest first, ties by key (a stable order). */
function countBy<T>(items: readonly T[], key: (item: T) => string): Array<{ first: T; count: number }> {
  const groups = new Map<string, { first: T; count: number }>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.count++;
    else groups.set(key(item), { first: item, count: 1 });
  }
  return [...groups].sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b)).map(([, group]) => group);
}
