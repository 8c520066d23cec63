/** The spread of one latency over a run, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value such that at least
 * `p` % of the values are at or below it (rank ⌈p/100 · n⌉, 1-based). Exact, never interpolated,
 * so every reported percentile is a latency that one request really had.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no values");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  // rank ≤ length because p ≤ 100; the fallback only satisfies noUncheckedIndexedAccess.
  return sorted[rank - 1] ?? Number.NaN;
}

/** Nearest-rank median (the lower middle value of an even count). */
export const median = (values: readonly number[]): number => percentile(ascending(values), 50);

/** Count, extremes, mean and the usual percentiles; undefined for no values (nothing to report). */
export function summarize(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = ascending(values);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    min: percentile(sorted, 0),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    mean: sum / sorted.length,
  };
}

const ascending = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
