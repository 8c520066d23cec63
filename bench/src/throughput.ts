import type { Searcher } from "./engines/engine.js";

/** How long one timed round keeps repeating the query set, at least. */
export const MIN_ROUND_MS = 2_000;
/** Timed rounds per measurement; the median is reported. */
export const ROUNDS = 3;

export interface Throughput {
  /** Median of the rounds, queries per second of wall-clock time. */
  queriesPerSecond: number;
  rounds: number[];
  /**
   * Median of the rounds, queries per second of this process's CPU time (user + system, GC
   * threads included). On a machine shared with other work, wall-clock time includes the time the
   * process waited for a core; CPU time does not, so this figure moves less with the load.
   */
  queriesPerCpuSecond: number;
  cpuRounds: number[];
}

/** Runs every query once, in order; returns the number of hits seen, so no result is dead code. */
export async function searchAll(searcher: Searcher, queries: readonly string[], topn: number): Promise<number> {
  let hits = 0;
  for (const query of queries) {
    const result = searcher.search(query, topn);
    hits += (result instanceof Promise ? await result : result).length;
  }
  return hits;
}

/** One warm-up pass, then ROUNDS rounds each repeating the whole query set until MIN_ROUND_MS has passed. */
export async function measureThroughput(searcher: Searcher, queries: readonly string[], topn: number): Promise<Throughput> {
  await searchAll(searcher, queries, topn);
  const rounds: number[] = [];
  const cpuRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let searched = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let elapsed = 0;
    do {
      await searchAll(searcher, queries, topn);
      searched += queries.length;
      elapsed = performance.now() - start;
    } while (elapsed < MIN_ROUND_MS);
    const cpu = process.cpuUsage(cpuStart);
    rounds.push(searched / (elapsed / 1_000));
    cpuRounds.push(searched / ((cpu.user + cpu.system) / 1e6));
  }
  return { queriesPerSecond: median(rounds), rounds, queriesPerCpuSecond: median(cpuRounds), cpuRounds };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
