import { performance } from "node:perf_hooks";
import { runArrivalSchedule } from "./arrival-schedule.js";
import { LatencyHistogram, type LatencyPercentiles } from "./latency-histogram.js";
import type { RequestSample } from "./measure-request.js";
import type { QuerySender } from "./query-sender.js";
import type { BenchQuestion } from "./questions.js";
import type { ProcessUsage } from "./resource-sampler.js";

/** The milestones of a request, each timed from its scheduled arrival. */
export const MILESTONES = ["recall", "firstAnswer", "firstData", "terminal"] as const;
export type Milestone = (typeof MILESTONES)[number];

/** One constant-rate step of an open loop, measured. */
export interface StepResult {
  offeredRate: number;
  durationSeconds: number;
  /** Arrivals sent / planned. */
  sent: number;
  planned: number;
  /** Requests that ended (terminal event or client failure) before the step's drain ended. */
  completed: number;
  /** Sent but not ended when the drain gave up: counted as errors (code UNFINISHED). */
  unfinished: number;
  /** Completed per second of the step's whole time (arrivals + drain). */
  throughputRps: number;
  ok: number;
  errors: number;
  errorRate: number;
  errorsByCode: Record<string, number>;
  degradedRequests: number;
  degradedByReason: Record<string, number>;
  /** Percentiles per milestone (terminal: every completed request, ok or not). */
  latencyMs: Partial<Record<Milestone, LatencyPercentiles>>;
  /** Time to the terminal event of the requests answered (`done`): what the admitted see under overload. */
  answeredMs?: LatencyPercentiles;
  /** Time to the terminal event per error code: how soon a refusal (`OVERLOADED`) or a failure reaches the caller. */
  errorLatencyMs: Record<string, LatencyPercentiles>;
  /** The terminal latency as an HdrHistogram compressed base64 string. */
  terminalHistogram: string;
  /** The bench's own worst lag behind its schedule, ms (large: the client machine is the bottleneck). */
  maxDispatchLagMs: number;
  resources: ProcessUsage[];
}

export interface StepOptions {
  ratePerSecond: number;
  durationMs: number;
  questions: readonly BenchQuestion[];
  /** Question i % length is asked by arrival i, after `questionOffset`. */
  questionOffset?: number;
  send: QuerySender;
  /** How long to wait for requests in flight after the last arrival. */
  drainMs: number;
  /** Started when the arrivals start, stopped when the drain ends. */
  startResources?: () => { stop(): Promise<ProcessUsage[]> };
  signal?: AbortSignal;
  onSample?: (sample: RequestSample) => void;
}

const UNFINISHED = "UNFINISHED";

/** Runs one open-loop step: arrivals at a constant rate for a duration, then a bounded drain. */
export async function runOpenLoopStep(options: StepOptions): Promise<StepResult> {
  const histograms = Object.fromEntries(MILESTONES.map((m) => [m, new LatencyHistogram()])) as Record<Milestone, LatencyHistogram>;
  const errorsByCode: Record<string, number> = {};
  const answered = new LatencyHistogram();
  const errorHistograms = new Map<string, LatencyHistogram>();
  const degradedByReason: Record<string, number> = {};
  let completed = 0;
  let ok = 0;
  let degradedRequests = 0;
  const inFlight = new Set<Promise<void>>();
  const offset = options.questionOffset ?? 0;
  const phaseStartMs = performance.now();
  const sampler = options.startResources?.();

  const account = (sample: RequestSample) => {
    completed++;
    if (sample.recallMs !== undefined) histograms.recall.recordMs(sample.recallMs);
    if (sample.firstAnswerMs !== undefined) histograms.firstAnswer.recordMs(sample.firstAnswerMs);
    if (sample.firstDataMs !== undefined) histograms.firstData.recordMs(sample.firstDataMs);
    histograms.terminal.recordMs(sample.endMs);
    if (sample.outcome === "done") {
      ok++;
      answered.recordMs(sample.endMs);
      if ((sample.degraded?.length ?? 0) > 0) degradedRequests++;
      for (const reason of sample.degraded ?? []) degradedByReason[reason] = (degradedByReason[reason] ?? 0) + 1;
    } else {
      const code = sample.code ?? "UNKNOWN";
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
      let histogram = errorHistograms.get(code);
      if (histogram === undefined) errorHistograms.set(code, (histogram = new LatencyHistogram()));
      histogram.recordMs(sample.endMs);
    }
    options.onSample?.(sample);
  };

  const schedule = await runArrivalSchedule({
    ratePerSecond: options.ratePerSecond,
    durationMs: options.durationMs,
    ...(options.signal ? { signal: options.signal } : {}),
    dispatch: ({ index, scheduledAt }) => {
      const question = options.questions[(index + offset) % options.questions.length];
      if (question === undefined) throw new RangeError("an open-loop step needs at least one question");
      const request = options
        .send(question, { index, phaseStartMs, scheduledAt })
        .then(account, (err: unknown) => {
          // A sender fails only on a bug (it maps every request failure to a sample): count it, loudly.
          errorsByCode.INTERNAL_BENCH_ERROR = (errorsByCode.INTERNAL_BENCH_ERROR ?? 0) + 1;
          completed++;
          process.emitWarning(`bench: a request failed outside the contract: ${err instanceof Error ? err.message : String(err)}`);
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    },
  });

  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(inFlight),
    new Promise<void>((resolve) => {
      drainTimer = setTimeout(resolve, options.drainMs);
    }),
  ]);
  clearTimeout(drainTimer);
  const elapsedMs = performance.now() - phaseStartMs;
  const resources = (await sampler?.stop()) ?? [];
  const unfinished = schedule.dispatched - completed;
  if (unfinished > 0) errorsByCode[UNFINISHED] = unfinished;
  const ended = completed + Math.max(0, unfinished);
  const answeredMs = answered.percentiles();
  const errors = ended - ok;
  return {
    offeredRate: options.ratePerSecond,
    durationSeconds: options.durationMs / 1000,
    sent: schedule.dispatched,
    planned: schedule.planned,
    completed,
    unfinished: Math.max(0, unfinished),
    throughputRps: elapsedMs > 0 ? completed / (elapsedMs / 1000) : 0,
    ok,
    errors,
    errorRate: ended > 0 ? errors / ended : 0,
    // Copies: a request the drain gave up on may still end later.
    errorsByCode: { ...errorsByCode },
    degradedRequests,
    degradedByReason: { ...degradedByReason },
    latencyMs: Object.fromEntries(MILESTONES.flatMap((m) => {
      const p = histograms[m].percentiles();
      return p ? [[m, p]] : [];
    })),
    ...(answeredMs === undefined ? {} : { answeredMs }),
    errorLatencyMs: Object.fromEntries([...errorHistograms].flatMap(([code, histogram]) => {
      const p = histogram.percentiles();
      return p ? [[code, p]] : [];
    })),
    terminalHistogram: histograms.terminal.encode(),
    maxDispatchLagMs: schedule.maxDispatchLagMs,
    resources,
  };
}
