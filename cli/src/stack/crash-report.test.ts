import { describe, expect, it } from "vitest";
import { formatCrashReport } from "./crash-report.js";

describe("formatCrashReport", () => {
  it("names the process, how it ended, when it restarts, its log and its last lines", () => {
    const text = formatCrashReport(
      { name: "retriever", exitCode: 1, signal: null, attempt: 2, restartInMs: 500, tail: ["a", "b", "c", "d", "e", "f"] },
      "/data/logs/retriever.log",
    );
    expect(text.split("\n")).toEqual([
      "! retriever exited unexpectedly (exit code 1); restarting in 0.5 s (crash 2 in a row); log: /data/logs/retriever.log",
      "    | b",
      "    | c",
      "    | d",
      "    | e",
      "    | f",
    ]);
  });

  it("reports a kill signal and a failed start", () => {
    expect(formatCrashReport({ name: "generator", exitCode: null, signal: "SIGKILL", attempt: 1, restartInMs: 250, tail: [] }, "g.log")).toBe(
      "! generator exited unexpectedly (signal SIGKILL); restarting in 0.3 s; log: g.log",
    );
    expect(formatCrashReport({ name: "nats-server", exitCode: null, signal: null, spawnError: "spawn x ENOENT", attempt: 3, restartInMs: 1000, tail: [] }, "n.log")).toContain(
      "could not be started (spawn x ENOENT)",
    );
  });
});
