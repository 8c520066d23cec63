import type { Throughput } from "./throughput.js";

/** Bytes, as process.memoryUsage() reports them, each after a full garbage collection. */
export interface MemoryFigures {
  heapBeforeCorpus: number;
  heapAfterCorpus: number;
  heapAfterBuild: number;
  rssAfterBuild: number;
}

/** What one child process reports on stdout: one engine on one dataset. */
export interface EngineResult {
  dataset: string;
  engine: string;
  setup: string;
  documents: number;
  queries: number;
  ndcgAt10: number;
  recallAt100: number;
  /** The quality pass (top 100): the first time each query is seen, JIT and every cache cold. */
  firstPassQueriesPerSecond: number;
  top10: Throughput;
  top100: Throughput;
  /** Each build's wall time, in order; the first one also pays JIT warm-up and fills any tokenizer cache. */
  buildMs: number[];
  buildMsMedian: number;
  /** Each build's CPU time (user + system, GC threads included): less sensitive to a busy machine than wall time. */
  buildCpuMs: number[];
  buildCpuMsMedian: number;
  memory: MemoryFigures;
  /** sha256 over the built @kbalign/search and @kbalign/text JavaScript when this process started. */
  kbalignBuild: string;
}
