import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { superviseProcess, type CrashReport } from "./supervised-process.js";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe("superviseProcess with real child processes", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-supervise-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const node = (name: string, script: string, onCrash: (r: CrashReport) => void = () => undefined, stopGraceMs = 5_000) =>
    superviseProcess({
      name,
      command: process.execPath,
      args: ["-e", script],
      env: process.env,
      logFile: join(dir, `${name}.log`),
      stopGraceMs,
      onCrash,
      backoff: { initialMs: 20, maxMs: 100, factor: 2 },
    });

  it("restarts a crashed process with backoff and reports each crash with its last output", async () => {
    const reports: CrashReport[] = [];
    const child = node("crasher", "console.log('starting up'); setTimeout(() => process.exit(3), 30)", (r) => reports.push(r));
    await child.start();
    await until(() => reports.length >= 3);
    await child.stop();
    expect(reports[0]).toMatchObject({ name: "crasher", exitCode: 3, signal: null, attempt: 1, restartInMs: 20, tail: ["starting up"] });
    expect(reports[1]).toMatchObject({ attempt: 2, restartInMs: 40 });
    const crashes = child.crashes();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(child.crashes()).toBe(crashes); // stopped: no more restarts
    expect(await readFile(join(dir, "crasher.log"), "utf8")).toContain("starting up");
  });

  it("reports a process killed by a signal and brings it back", async () => {
    const reports: CrashReport[] = [];
    const child = node("victim", "setInterval(() => {}, 1000)", (r) => reports.push(r));
    await child.start();
    const first = child.pid();
    process.kill(first!, "SIGKILL");
    await until(() => child.pid() !== undefined && child.pid() !== first);
    expect(reports[0]).toMatchObject({ name: "victim", signal: "SIGKILL" });
    await child.stop();
  });

  it("stops with SIGTERM and reports no crash when the process exits on it", async () => {
    const reports: CrashReport[] = [];
    const child = node("polite", "process.on('SIGTERM', () => { console.log('bye'); process.exit(0) }); setInterval(() => {}, 1000)", (r) => reports.push(r));
    await child.start();
    await new Promise((resolve) => setTimeout(resolve, 200)); // let it install its handler
    const pid = child.pid()!;
    await child.stop();
    expect(isAlive(pid)).toBe(false);
    expect(reports).toEqual([]);
  });

  it("kills a process that ignores SIGTERM once the grace period is over", async () => {
    const child = node("stubborn", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)", undefined, 300);
    await child.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pid = child.pid()!;
    await child.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it("rejects start() when the command does not exist", async () => {
    const child = superviseProcess({
      name: "ghost",
      command: "kbalign-no-such-binary",
      args: [],
      env: process.env,
      logFile: join(dir, "ghost.log"),
      stopGraceMs: 100,
      onCrash: () => undefined,
    });
    await expect(child.start()).rejects.toMatchObject({ code: "ENOENT" });
    await child.stop();
  });
});
