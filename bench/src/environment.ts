import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

/** The libraries compared, as installed in bench/node_modules. */
const LIBRARIES = ["minisearch", "@orama/orama", "wink-bm25-text-search", "wink-nlp-utils"] as const;

export interface RunEnvironment {
  date: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  node: string;
  /** 1, 5 and 15 minute load averages at the start: the machine is shared, and a busy one skews q/s. */
  loadAverage: number[];
  /** The same at the end of the run. */
  loadAverageAtEnd?: number[];
  libraries: Record<string, string>;
  kbalign: KbalignBuild;
}

/** Which @kbalign/search was measured: the package's own files change while others work on it. */
export interface KbalignBuild {
  version: string;
  commit: string;
  /** Files under shared/search or shared/text that differ from that commit (uncommitted work). */
  uncommitted: string[];
  /** sha256 over the built shared/search and shared/text JavaScript that ran. */
  distSha256: string;
  /** Set at the end of a run: whether that JavaScript was rebuilt by someone while the run went on. */
  changedDuringRun?: boolean;
}

function cpuModel(): string {
  // /proc/cpuinfo's "model name"; os.cpus() reads the same where /proc is absent.
  if (existsSync("/proc/cpuinfo")) {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((row) => row.startsWith("model name"));
    if (line) return line.slice(line.indexOf(":") + 1).trim();
  }
  return cpus()[0]?.model.trim() ?? "unknown";
}

function packageVersion(packageDirectory: string): string {
  return (JSON.parse(readFileSync(join(packageDirectory, "package.json"), "utf8")) as { version: string }).version;
}

function git(repository: string, ...args: string[]): string {
  // trimEnd only: `git status --porcelain` lines start with a meaningful space.
  return execFileSync("git", ["-C", repository, ...args], { encoding: "utf8" }).trimEnd();
}

/** sha256 over the built JavaScript of @kbalign/search and @kbalign/text, to tell whether it changed during a run. */
export function kbalignDistSha256(benchDirectory: string): string {
  const hash = createHash("sha256");
  for (const name of ["search", "text"]) {
    const dist = join(benchDirectory, "..", "shared", name, "dist");
    for (const file of readdirSync(dist).filter((f) => f.endsWith(".js")).sort()) hash.update(`${name}/${file}\0`).update(readFileSync(join(dist, file)));
  }
  return hash.digest("hex");
}

export function describeRun(benchDirectory: string): RunEnvironment {
  const repository = join(benchDirectory, "..");
  return {
    date: new Date().toISOString(),
    cpuModel: cpuModel(),
    cpuCount: cpus().length,
    totalMemoryBytes: totalmem(),
    node: process.version,
    loadAverage: loadavg(),
    libraries: Object.fromEntries(LIBRARIES.map((name) => [name, packageVersion(join(benchDirectory, "node_modules", name))])),
    kbalign: {
      version: packageVersion(join(repository, "shared", "search")),
      commit: git(repository, "rev-parse", "HEAD"),
      uncommitted: git(repository, "status", "--porcelain", "--", "shared/search", "shared/text").split("\n").filter(Boolean),
      distSha256: kbalignDistSha256(benchDirectory),
    },
  };
}
