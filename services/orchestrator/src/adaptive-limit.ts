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
  /** A pause in arrivals at least this long (ms) takes the limit back to `initial` if above it (default 4 windows). */
  restartAfterMs?: number;
  now?: () => number;
}

export interface AdaptiveLimit {
  /** Requests this replica may hold now. */
  limit(): number;
  /** How long an admitted request that was answered on the normal path (`done`, not degraded) waited for its first `data` (ms). */
  sample(ms: number): void;
  /** The number in flight just after each admission and each release (tells how much of the limit is used, and for how long). */
  inFlight(n: number): void;
  /** A query arrived, admitted or not (arrivals outpacing releases is a surge, before the limit is reached). */
  arrival(): void;
}

/** A window past the threshold shrinks the limit in proportion (threshold / p90), by a tenth at least and by half at most. */
const LEAST_DECREASE = 0.9;
const MOST_DECREASE = 0.5;
const INCREASE = 1.1;
/** How far past its unloaded value the wait may grow before it counts as queueing, for backends slower than the target. */
const BASELINE_TOLERANCE = 2;
/** A window counts as loaded (not a baseline window) when its peak in flight reached this share of the limit. */
const TOUCHED = 0.5;
/**
 * Arrivals this many times the releases over a window: a third of what comes in does not go out
 * (refused, or piling up in flight), an overload, even before the limit is reached (its onset);
 * below the capacity as much leaves as arrives.
 */
const SURGE = 1.5;
/** The limit is full when the window's time-averaged in flight is this share of it... */
const FULL = 0.75;
/** ...and it refused this share of the arrivals: the limit, not the pace of arrivals, holds the concurrency. */
const REFUSING = 0.1;
/** The limit is nearly used up when the window's peak in flight reached this share of it. */
const NEARLY_USED = 0.75;

/**
 * An in-flight limit that follows measured latency instead of a guess (AIMD, as TCP's congestion
 * window, with a decrease sized by the overshoot). The signal is the wait the caller sees, to the first chunk of the answer: it crosses
 * every hop of the pipeline (retriever, generator, nats-server, and on shared cores the other
 * processes' CPU), so queueing anywhere behind this replica shows in it, not only in the first
 * recall. Only answers on the normal path count: a degraded one waited for a backend's timeout, or
 * skipped the backend, and says nothing about queueing.
 *
 * It shrinks only in an overload, when the p90 is past the threshold and either
 * - queries arrive half as fast again as they leave, 40 or more in the window (a surge: refused,
 *   or piling up in flight, even before the limit is reached: an overload's onset; fewer could be
 *   a backend's pause at a low rate, where refusing would turn slow answers into errors), or
 * - the limit is full (three quarters of it in flight on average over the window) and refuses a
 *   tenth of the arrivals or more: the limit, not the pace of arrivals, holds the concurrency.
 * It then shrinks in proportion to the overshoot (threshold / p90, by a tenth to a half), from the
 * peak in flight when that is under the limit. A window ends after `windowMs`, or early once a
 * surge has `minSamples` answers past the threshold and they are most of its answers, so a sudden
 * overload is met within tens of milliseconds rather than after a window of queueing.
 *
 * Answers to queries admitted before a decrease are not counted after it: they tell of the limit
 * before it, and would shrink it again for the same overshoot (one decrease per wait, as TCP's).
 *
 * Below the capacity it does not shrink, however slow the answers: a limit in use but refusing next
 * to nothing (bursts of arrivals, or a machine whose pace alone is slower than the target) would
 * only refuse queries without shortening the wait, and spiral down. Bursts that nearly use up the
 * limit make it grow by a tenth, as does a window under the threshold with the limit nearly used,
 * unless queries pile up in flight (an onset, whose first answers are quick only because they came
 * before the queue).
 * A slow wait at a concurrency far under the limit (a cold start, a slow backend) changes nothing.
 *
 * A limit not used is not trusted, as TCP's congestion window (RFC 2861, RFC 5681 §4.1): a window
 * whose peak in flight stayed under half the limit brings it halfway down to twice that peak, and a
 * pause in arrivals of `restartAfterMs` takes it back to `initial`, neither below `initial`. A
 * limit grown under a heavy load that has since gone (a closed loop, a burst) would otherwise meet
 * the next overload with room for a queue of seconds' worth of queries.
 *
 * The threshold is `targetMs`, or BASELINE_TOLERANCE × the unloaded wait when that is longer (an
 * LLM whose first token takes a second would otherwise hold the limit at its minimum). The
 * unloaded wait is the lowest p50 of the last `baselineWindows` windows in which the peak in flight
 * stayed under half the limit, with no surge: measured only when nothing queues, it cannot drift up with load; until there is one, the
 * threshold is the target. The requests beyond the limit are refused at once with OVERLOADED, and the admitted ones keep their latency.
 */
export function createAdaptiveLimit(options: AdaptiveLimitOptions): AdaptiveLimit {
  const now = options.now ?? (() => performance.now());
  const minSamples = options.minSamples ?? 10;
  const baselineWindows = options.baselineWindows ?? 300;
  const restartAfterMs = options.restartAfterMs ?? 4 * options.windowMs;
  const unloaded: number[] = [];
  let limit = options.initial;
  let samples: number[] = [];
  let peak = 0;
  let windowStart = now();
  // The time-averaged number in flight over the window: the area under in-flight against time.
  let current = 0;
  let changedAt = windowStart;
  let area = 0;
  let arrivals = 0;
  let admissions = 0;
  let releases = 0;
  let threshold = options.targetMs;
  let slow = 0;
  let shrunkAt = -Infinity;
  let lastArrival = windowStart;

  // A surge needs enough arrivals to tell one from a pause: at a few queries a window, a stall of a
  // backend's process looks the same, and refusing then would turn a slow answer into an error.
  const surging = (): boolean => arrivals >= 4 * minSamples && arrivals >= SURGE * Math.max(1, releases);
  const integrate = (at: number): void => {
    area += current * (at - changedAt);
    changedAt = at;
  };

  const adjust = (): void => {
    const end = now();
    integrate(end);
    const full = area / Math.max(1, end - windowStart) >= limit * FULL && arrivals - admissions >= Math.max(1, REFUSING * arrivals);
    samples.sort((a, b) => a - b);
    const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0;
    const surge = surging();
    if (peak < limit * TOUCHED && !surge) {
      unloaded.push(at(0.5));
      if (unloaded.length > baselineWindows) unloaded.shift();
      // Unused, the limit is not trusted: halfway down to twice the peak in flight, not under `initial`.
      limit = Math.max(Math.min(limit, options.initial), Math.ceil((limit + 2 * peak) / 2));
    }
    threshold = unloaded.length === 0 ? options.targetMs : Math.max(options.targetMs, BASELINE_TOLERANCE * Math.min(...unloaded));
    const p90 = at(0.9);
    if ((surge || full) && p90 > threshold) {
      // From what was in flight when that is under the limit (an overload's onset, from a limit grown
      // while the load was lower): shrinking a limit that nothing reaches would not refuse anything.
      const base = Math.min(limit, Math.max(peak, 1));
      limit = Math.max(options.min, Math.floor(base * Math.min(LEAST_DECREASE, Math.max(MOST_DECREASE, threshold / p90))));
      shrunkAt = end;
    } else if (peak >= limit * NEARLY_USED && admissions < SURGE * Math.max(1, releases)) {
      // Under the threshold, or slow while the limit is mostly unused: bursts of arrivals reach the
      // limit, but the wait comes from the arrivals' own pace, and refusing them would not shorten it.
      // Not while queries pile up in flight (admitted faster than they leave: an onset, whose first
      // answers are quick only because they came before the queue).
      limit = Math.min(options.max, Math.ceil(limit * INCREASE));
    }
    startWindow(end);
  };
  const startWindow = (at: number): void => {
    samples = [];
    peak = current;
    area = 0;
    changedAt = at;
    arrivals = 0;
    admissions = 0;
    releases = 0;
    slow = 0;
    windowStart = at;
  };

  return {
    limit: () => limit,
    sample(ms) {
      // An answer to a query admitted before the last decrease tells of the limit before it: counted,
      // it would shrink the limit again for the same overshoot (one decrease per wait, as TCP's).
      const at = now();
      if (at - ms < shrunkAt) return;
      samples.push(ms);
      if (ms > threshold) slow++;
      // A window ends once long enough with enough samples, or early at a surge whose answers are
      // mostly past the threshold already (a spike of a few slow ones near the capacity is not): an
      // overload's onset is met within tens of milliseconds.
      const early = slow >= minSamples && 2 * slow >= samples.length && surging();
      if (early || (at - windowStart >= options.windowMs && samples.length >= minSamples)) adjust();
    },
    inFlight(n) {
      integrate(now());
      if (n < current) releases++;
      else if (n > current) admissions++;
      current = n;
      if (n > peak) peak = n;
    },
    arrival() {
      const at = now();
      if (at - lastArrival >= restartAfterMs) {
        // After a pause, what the limit learned is stale: restart from `initial`, in a new window.
        limit = Math.min(limit, options.initial);
        startWindow(at);
      }
      lastArrival = at;
      arrivals++;
    },
  };
}
