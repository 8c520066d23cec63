import { accessSync, constants } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { isPortFree } from "@kbalign/net";
import { prometheusConfig, type ScrapeTarget } from "./prometheus-config.js";
import { superviseProcess, type CrashReport, type SupervisedProcess } from "./supervised-process.js";

/** How long Prometheus gets to answer /-/ready (it replays its write-ahead log first). */
const START_TIMEOUT_MS = 30_000;
/** Prometheus closes its TSDB on SIGTERM, normally in well under a second. */
const STOP_GRACE_MS = 10_000;
const READY_POLL_MS = 100;

/**
 * The Prometheus binary to run: KBALIGN_PROMETHEUS (a path, or a name on PATH), else `prometheus`
 * on PATH; undefined when there is none.
 */
export function findPrometheus(configured: string | undefined, path: string | undefined): string | undefined {
  const wanted = configured ?? "prometheus";
  if (isAbsolute(wanted) || wanted.includes("/")) return isExecutable(wanted) ? wanted : undefined;
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, wanted))) return join(dir, wanted);
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false; // missing or not executable: both mean "not installed" here
  }
}

/** `wanted` when free, else the next free port above it that is not in `avoid` (as `npm start` does for NATS). */
export async function choosePrometheusPort(wanted: number, avoid: readonly number[]): Promise<number> {
  for (let port = wanted; port <= 65_535; port++) {
    if (!avoid.includes(port) && (await isPortFree(port))) return port;
  }
  throw new Error(`no free port from ${wanted} up for prometheus`);
}

export interface PrometheusOptions {
  bin: string;
  port: number;
  configFile: string;
  storageDir: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
  onCrash: (report: CrashReport) => void;
}

/** The supervised Prometheus process and the arguments it runs with. */
export function prometheusProcess(options: PrometheusOptions): SupervisedProcess {
  return superviseProcess({
    name: "prometheus",
    command: options.bin,
    args: [
      `--config.file=${options.configFile}`,
      `--storage.tsdb.path=${options.storageDir}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      // Keeps the trace ids the services attach to their latency histograms.
      "--enable-feature=exemplar-storage",
    ],
    env: options.env,
    logFile: options.logFile,
    stopGraceMs: STOP_GRACE_MS,
    onCrash: options.onCrash,
  });
}

/** Resolves once Prometheus answers `/-/ready`; false when it crashed or did not within the timeout. */
export async function waitForPrometheus(prometheus: SupervisedProcess, url: string, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && prometheus.crashes() === 0) {
    signal.throwIfAborted();
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.any([signal, AbortSignal.timeout(1_000)]) }).then(
      (res) => res.ok,
      () => false, // not listening yet
    );
    if (ready) return true;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return false;
}

export interface LaunchPrometheusOptions {
  bin: string;
  port: number;
  /** `kbalign up --data`: the config goes to DIR/prometheus.yml, the TSDB to DIR/prometheus/. */
  dataDir: string;
  logFile: string;
  targets: ScrapeTarget[];
  ruleFiles: string[];
  env: NodeJS.ProcessEnv;
  onCrash: (report: CrashReport) => void;
}

export interface RunningPrometheus {
  /** Its UI and API, e.g. http://127.0.0.1:9090. */
  url: string;
  process: SupervisedProcess;
}

/** Writes this run's config and starts Prometheus, supervised; rejects when it cannot be spawned. */
export async function launchPrometheus(options: LaunchPrometheusOptions): Promise<RunningPrometheus> {
  const configFile = join(options.dataDir, "prometheus.yml");
  const storageDir = join(options.dataDir, "prometheus");
  await mkdir(storageDir, { recursive: true });
  await writeFile(configFile, prometheusConfig({ targets: options.targets, ruleFiles: options.ruleFiles }));
  const process = prometheusProcess({ ...options, configFile, storageDir });
  await process.start();
  return { url: `http://127.0.0.1:${options.port}`, process };
}
