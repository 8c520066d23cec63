// @ts-check
/**
 * Load shapes and thresholds of the k6 scripts, as data (k6's `options` format), so the Node suite
 * checks them and every script shares them. Thresholds are the user's targets.
 */

/** The user's plan: response < 100 ms (p99), errors < 0.1%, > 100 queries/s. */
export const TARGETS = { p99Ms: 100, maxErrorRate: 0.001, minQueriesPerSecond: 100 };

/**
 * @param {number} p99Ms @param {number} maxErrorRate
 * @returns {Record<string, string[]>}
 */
export function thresholds(p99Ms = TARGETS.p99Ms, maxErrorRate = TARGETS.maxErrorRate) {
  return {
    kbalign_terminal_ms: [`p(99)<${p99Ms}`],
    kbalign_errors: [`rate<${maxErrorRate}`],
  };
}

/**
 * constant-arrival-rate and ramping-arrival-rate executors: arrivals do not wait for answers (an
 * open loop, as `kbalign bench --rate`); k6 adds VUs up to maxVUs when answers are slow.
 * @param {number} rate
 */
export const SCENARIOS = {
  /** The user's target load, a little above it, for a minute. */
  steady: (rate = 120) => ({
    executor: "constant-arrival-rate",
    rate,
    timeUnit: "1s",
    duration: "1m",
    preAllocatedVUs: 50,
    maxVUs: 400,
  }),
  /** From 10/s to 600/s over two minutes: where does p99 cross the target? */
  ramp: (rate = 600) => ({
    executor: "ramping-arrival-rate",
    startRate: 10,
    timeUnit: "1s",
    preAllocatedVUs: 50,
    maxVUs: 1000,
    stages: [
      { target: rate, duration: "2m" },
      { target: rate, duration: "30s" },
    ],
  }),
  /** 50/s, a 10 s burst to 10×, back to 50/s: does the stack recover, and shed with OVERLOADED? */
  spike: (rate = 500) => ({
    executor: "ramping-arrival-rate",
    startRate: 50,
    timeUnit: "1s",
    preAllocatedVUs: 50,
    maxVUs: 1000,
    stages: [
      { target: 50, duration: "30s" },
      { target: rate, duration: "5s" },
      { target: rate, duration: "10s" },
      { target: 50, duration: "5s" },
      { target: 50, duration: "30s" },
    ],
  }),
};

/**
 * k6 `options` for one scenario by name; an unknown name throws, naming the known ones.
 * The spike and ramp runs cross the target by design, so only steady gets the thresholds'
 * throughput check (a counter rate over the whole run).
 * @param {string} name @param {number | undefined} rate
 * @returns {{ scenarios: Record<string, Record<string, unknown>>, thresholds: Record<string, string[]> }}
 */
export function optionsFor(name, rate) {
  const make = /** @type {Record<string, (rate?: number) => Record<string, unknown>>} */ (SCENARIOS)[name];
  if (make === undefined) throw new Error(`unknown scenario '${name}': use one of ${Object.keys(SCENARIOS).join(", ")}`);
  return {
    scenarios: { [name]: make(rate) },
    thresholds: {
      ...thresholds(),
      ...(name === "steady" ? { kbalign_answers: [`rate>${TARGETS.minQueriesPerSecond}`] } : {}),
    },
  };
}
