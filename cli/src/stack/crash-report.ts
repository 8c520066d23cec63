import type { CrashReport } from "./supervised-process.js";

/** Lines of the crashed process's output shown with the report (the full log is in its file). */
const SHOWN_LINES = 5;

/** "retriever exited unexpectedly (exit code 1); restarting in 0.5 s (crash 2 in a row)" plus its last lines. */
export function formatCrashReport(report: CrashReport, logFile: string): string {
  const how =
    report.spawnError !== undefined
      ? `could not be started (${report.spawnError})`
      : `exited unexpectedly (${report.signal ? `signal ${report.signal}` : `exit code ${report.exitCode}`})`;
  const again = `restarting in ${(report.restartInMs / 1000).toFixed(1)} s${report.attempt > 1 ? ` (crash ${report.attempt} in a row)` : ""}`;
  const tail = report.tail.slice(-SHOWN_LINES).map((line) => `    | ${line}`);
  return [`! ${report.name} ${how}; ${again}; log: ${logFile}`, ...tail].join("\n");
}
