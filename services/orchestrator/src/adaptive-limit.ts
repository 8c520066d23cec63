export interface AdaptiveLimitOptions {
  /** The p90 time to a request's first event that the limit keeps (ms). */
  targetMs: number;
  initial: number;
  min: number;
  max: number;
  /** Length of one measuring window (ms); the limit moves at most once per window. */
  windowMs: number;
  /** Fewest samples a window needs before the limit moves. */
  minSamples?: number;
  now?: () => number;
}

export interface AdaptiveLimit {
  /** Requests this replica may hold now. */
  limit(): number;
  /** How long an admitted request took to its first event (ms): queueing plus the first recall. */
  sample(ms: number): void;
  /** The number in flight just after an admission (tells whether the limit is being used). */
  inFlight(n: number): void;
}

const DECREASE = 0.8;
const INCREASE = 1.1;

/**
 * An in-flight limit that follows measured latency instead of a guess (AIMD, as TCP's congestion
 * window): past the target, queueing in this replica (or behind it, in the retrievers) is what
 * grows the time to the first event, so the limit shrinks by a fifth; under the target and nearly
 * used up, it grows by a tenth. The requests beyond it are refused at once with OVERLOADED, and the
 * admitted ones keep their latency.
 */
export function createAdaptiveLimit(options: AdaptiveLimitOptions): AdaptiveLimit {
  const now = options.now ?? (() => performance.now());
  const minSamples = options.minSamples ?? 10;
  let limit = options.initial;
  let samples: number[] = [];
  let peak = 0;
  let windowStart = now();

  const adjust = (): void => {
    samples.sort((a, b) => a - b);
    const p90 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.9))] ?? 0;
    if (p90 > options.targetMs) limit = Math.max(options.min, Math.floor(limit * DECREASE));
    else if (peak >= limit * 0.75) limit = Math.min(options.max, Math.ceil(limit * INCREASE));
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
