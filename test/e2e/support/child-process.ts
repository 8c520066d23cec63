import { spawn, type ChildProcess } from "node:child_process";
import { cliMain, repoRoot } from "./paths.js";

/** A process started by a test: its output is kept to explain a failure. */
export interface TestProcess {
  name: string;
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout matches; rejects on timeout or exit, quoting the output. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** `nodeArgs` go before the script (e.g. `--import` of the tracing preload). */
export function startNode(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): TestProcess {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
    listeners.forEach((notify) => notify());
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => {
      done = true;
      listeners.forEach((notify) => notify());
      resolve({ code, signal });
    });
  });
  const describe = () => `--- ${name} stdout:\n${out.slice(-3_000)}\n--- ${name} stderr:\n${err.slice(-3_000)}`;
  return {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) finish(() => resolve(match));
          else if (done) finish(() => reject(new Error(`${name} exited before printing ${pattern}\n${describe()}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms\n${describe()}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 5_000) {
      if (done) return;
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(force);
    },
  };
}

/** Runs the real `kbalign` CLI to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startNode("kbalign", cliMain, args, env);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
