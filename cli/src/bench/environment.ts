import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";

/** Facts about the machine a run happened on, so results from different machines are not compared blindly. */
export interface BenchEnvironment {
  node: string;
  platform: string;
  arch: string;
  osRelease: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run began: a busy machine skews every figure. */
  loadAverage: number[];
}

export function describeEnvironment(): BenchEnvironment {
  const cores = cpus();
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    cpuCount: cores.length,
    totalMemoryBytes: totalmem(),
    loadAverage: loadavg(),
  };
}
