import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { DEFAULT_RESTART_BACKOFF, restartDelayMs, type BackoffPolicy } from "./backoff.js";
import { createOutputTail } from "./output-tail.js";

/** Lines of output kept to show when a process crashes. */
const TAIL_LINES = 20;

export interface CrashReport {
  name: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. its binary vanished). */
  spawnError?: string;
  /** Crashes in a row, this one included. */
  attempt: number;
  restartInMs: number;
  tail: string[];
}

export interface SupervisedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** After SIGTERM, how long before SIGKILL. */
  stopGraceMs: number;
  onCrash: (report: CrashReport) => void;
  backoff?: BackoffPolicy;
  /** A process that ran this long before crashing restarts at the initial delay again. */
  stableAfterMs?: number;
}

export interface SupervisedProcess {
  readonly name: string;
  /** Spawns the process; rejects when it cannot be started (ENOENT, EACCES). */
  start(): Promise<void>;
  /** No more restarts; SIGTERM, then SIGKILL after the grace period. Resolves once it exited. */
  stop(): Promise<void>;
  /** SIGKILL at once, synchronously (for a forced quit or an exit handler). */
  kill(): void;
  pid(): number | undefined;
  /** Unexpected exits so far. */
  crashes(): number;
  /** The last lines it wrote. */
  tail(): string[];
}

/**
 * Runs one child process and restarts it with backoff whenever it exits on its own. The child gets
 * its own process group (`detached`), so a Ctrl-C in the terminal reaches only `kbalign up`, which
 * then stops the children in order instead of all of them dying at once.
 */
export function superviseProcess(options: SupervisedProcessOptions): SupervisedProcess {
  const backoff = options.backoff ?? DEFAULT_RESTART_BACKOFF;
  const stableAfterMs = options.stableAfterMs ?? 30_000;
  const tail = createOutputTail(TAIL_LINES);
  let log: WriteStream | undefined;
  let child: ChildProcess | undefined;
  let stopping = false;
  let crashes = 0;
  let attempt = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let exited: Promise<void> = Promise.resolve();

  const record = (chunk: Buffer) => {
    // Output can still arrive after 'exit' (the pipes drain later) and so after stop() ended the log.
    if (log && !log.writableEnded) log.write(chunk);
    tail.push(chunk.toString("utf8"));
  };

  const crashed = (report: Omit<CrashReport, "name" | "attempt" | "restartInMs" | "tail">, startedAt: number) => {
    crashes++;
    attempt = Date.now() - startedAt >= stableAfterMs ? 1 : attempt + 1;
    const restartInMs = restartDelayMs(attempt, backoff);
    options.onCrash({ name: options.name, ...report, attempt, restartInMs, tail: tail.lines() });
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!stopping) launch().catch((err: unknown) => crashed({ exitCode: null, signal: null, spawnError: errorMessage(err) }, Date.now()));
    }, restartInMs);
  };

  /** Spawns once; resolves when the OS started it, rejects when it could not. */
  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const startedAt = Date.now();
      const proc = spawn(options.command, options.args, { env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      let spawned = false;
      proc.stdout?.on("data", record);
      proc.stderr?.on("data", record);
      exited = new Promise<void>((resolveExit) => {
        proc.once("exit", (exitCode, signal) => {
          if (child === proc) child = undefined;
          resolveExit();
          if (spawned && !stopping) crashed({ exitCode, signal }, startedAt);
        });
        proc.once("error", (err) => {
          if (spawned) return; // an error after start (e.g. a failed kill) changes nothing here
          if (child === proc) child = undefined;
          resolveExit();
          reject(err);
        });
      });
      proc.once("spawn", () => {
        spawned = true;
        child = proc;
        log?.write(`--- ${new Date().toISOString()} started ${options.name} (pid ${proc.pid})\n`);
        resolve();
      });
    });

  return {
    name: options.name,
    async start() {
      log ??= createWriteStream(options.logFile, { flags: "a" });
      await launch();
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const force = setTimeout(() => proc.kill("SIGKILL"), options.stopGraceMs);
        await exited;
        clearTimeout(force);
      }
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
      log = undefined;
    },
    kill() {
      stopping = true;
      clearTimeout(restartTimer);
      child?.kill("SIGKILL");
    },
    pid: () => child?.pid,
    crashes: () => crashes,
    tail: () => tail.lines(),
  };
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
