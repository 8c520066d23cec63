import * as hdr from "hdr-histogram-js";

/** Recorded in microseconds: ms with 3 significant digits would lose the sub-millisecond hops. */
const MICROS_PER_MS = 1_000;
/** Up to one hour; 3 significant digits (0.1% resolution at any magnitude). */
const HIGHEST_TRACKABLE_MICROS = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;

/** Percentiles of one latency over a run, in milliseconds. */
export interface LatencyPercentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** An HDR histogram of latencies, recorded and read in milliseconds. */
export class LatencyHistogram {
  readonly #histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_MICROS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    // The pure-JS implementation: no WebAssembly module to load first.
    useWebAssembly: false,
  });

  /** Records one latency; negative values (a clock read out of order) count as 0. */
  recordMs(ms: number): void {
    const micros = Math.round(Math.max(0, ms) * MICROS_PER_MS);
    this.#histogram.recordValue(Math.min(micros, HIGHEST_TRACKABLE_MICROS));
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  /** The latency at `percentile` (0-100), ms; the histogram's value, within 0.1%. */
  atPercentileMs(percentile: number): number {
    return this.#histogram.getValueAtPercentile(percentile) / MICROS_PER_MS;
  }

  /**
   * undefined when nothing was recorded. A percentile is its bucket's highest equivalent value,
   * which can pass the largest value recorded: each is capped at `max`, so p99.9 ≤ max always.
   */
  percentiles(): LatencyPercentiles | undefined {
    if (this.count === 0) return undefined;
    const max = this.#histogram.maxValue / MICROS_PER_MS;
    const at = (percentile: number) => Math.min(this.atPercentileMs(percentile), max);
    return {
      count: this.count,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max,
      mean: this.#histogram.mean / MICROS_PER_MS,
    };
  }

  /** The histogram in HdrHistogram's compressed base64 form, readable by its plotters and log tools. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#histogram);
  }
}
