export interface AdaptiveLimitOptions {
  /**
   * The p90 wait for the answer to start (first `data` chunk) that the limit keeps (ms), or twice
   * the unloaded wait when the backend is slower than that (an LLM's first token).
   */
  targetMs: number;
  initial: number;
  min: number;
  max: number;
  /** Length of one measuring window (ms); the limit moves at most once per window. */
  windowMs: number;
  /** Fewest samples a window needs before the limit moves. */
  minSamples?: number;
  /** Unloaded windows (the limit far from binding) over which the unloaded wait is remembered (default 300). */
  baselineWindows?: number;
  now?: () => number;
}

export interface AdaptiveLimit {
  /** Requests this replica may hold now. */
  limit(): number;
  /** How long an admitted request that was answered on the normal path (`done`, not degraded) waited for its first `data` (ms). */
  sample(ms: number): void;
  /** The number in flight just after an admission (tells whether the limit is being used). */
  inFlight(n: number): void;
}

/** A window past the threshold shrinks the limit in proportion (threshold / p90), by a tenth at least and by half at most. */
const LEAST_DECREASE = 0.9;
const MOST_DECREASE = 0.5;
const INCREASE = 1.1;
/** How far past its unloaded value the wait may grow before it counts as queueing, for backends slower than the target. */
const BASELINE_TOLERANCE = 2;
/** The limit counts as binding (its requests are what queue) when the window's peak in flight reached this share of it. */
const BINDING = 0.5;

/**
 * An in-flight limit that follows measured latency instead of a guess (AIMD, as TCP's congestion
 * window, with a decrease sized by the overshoot). The signal is the wait the caller sees, to the first chunk of the answer: it crosses
 * every hop of the pipeline (retriever, generator, nats-server, and on shared cores the other
 * processes' CPU), so queueing anywhere behind this replica shows in it, not only in the first
 * recall. Only answers on the normal path count: a degraded one waited for a backend's timeout, or
 * skipped the backend, and says nothing about queueing. Past the threshold while the limit binds,
 * the limit shrinks in proportion to the overshoot (threshold / p90, by a tenth to a half), so a
 * sudden overload is matched within a few windows; under it and nearly used up, it grows by a
 * tenth. A slow wait at a concurrency far under the limit (a cold
 * start, a slow backend) is not queueing this limit causes, so it does not shrink it.
 *
 * The threshold is `targetMs`, or BASELINE_TOLERANCE × the unloaded wait when that is longer (an
 * LLM whose first token takes a second would otherwise hold the limit at its minimum). The
 * unloaded wait is the lowest p50 of the last `baselineWindows` windows in which the limit did not
 * bind: measured only when nothing queues, it cannot drift up with load; until there is one, the
 * threshold is the target. The requests beyond the limit are refused at once with OVERLOADED, and the admitted ones keep their latency.
 */
export function createAdaptiveLimit(options: AdaptiveLimitOptions): AdaptiveLimit {
  const now = options.now ?? (() => performance.now());
  const minSamples = options.minSamples ?? 10;
  const baselineWindows = options.baselineWindows ?? 300;
  const unloaded: number[] = [];
  let limit = options.initial;
  let samples: number[] = [];
  let peak = 0;
  let windowStart = now();

  const adjust = (): void => {
    samples.sort((a, b) => a - b);
    const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0;
    const binding = peak >= limit * BINDING;
    if (!binding) {
      unloaded.push(at(0.5));
      if (unloaded.length > baselineWindows) unloaded.shift();
    }
    const threshold = unloaded.length === 0 ? options.targetMs : Math.max(options.targetMs, BASELINE_TOLERANCE * Math.min(...unloaded));
    const p90 = at(0.9);
    if (p90 > threshold) {
      const factor = Math.min(LEAST_DECREASE, Math.max(MOST_DECREASE, threshold / p90));
      if (binding) limit = Math.max(options.min, Math.floor(limit * factor));
    } else if (peak >= limit * 0.75) limit = Math.min(options.max, Math.ceil(limit * INCREASE));
    samples = [];
    peak = 0;
    windowStart = now();
  };

  return {
    limit: () => limit,
    sample(ms) {
      samples.push(ms);
      if (now() - windowStart >= options.windowMs && samples.length >= minSamples) adjust();
    },
    inFlight(n) {
      if (n > peak) peak = n;
    },
  };
}
