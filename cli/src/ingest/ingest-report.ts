import { writeLine, type Terminal } from "../terminal.js";
import type { IngestReport } from "./ingest-documents.js";

/** Problems first (stderr), then the summary (stdout), so the last thing shown is the outcome. */
export function printIngestReport(report: IngestReport, terminal: Terminal): void {
  for (const { where, reason } of report.skipped) writeLine(terminal.stderr, `skipped  ${where}: ${reason}`);
  for (const { where, reason } of report.rejections) writeLine(terminal.stderr, `rejected ${where}: ${reason}`);
  const unlisted = report.rejected - report.rejections.length;
  if (unlisted > 0) writeLine(terminal.stderr, `rejected … and ${unlisted} more not listed`);
  if (report.duplicateIds > 0) {
    writeLine(terminal.stderr, `note: ${report.duplicateIds} record(s) repeated an id seen earlier in this run; the later one replaced the earlier`);
  }
  const rows: Array<[string, string]> = [
    ["published", String(report.published)],
    ["rejected", String(report.rejected)],
    ["skipped", `${report.skipped.length} file(s)`],
    ["collection", report.collection],
    ["took", `${(report.elapsedMs / 1000).toFixed(1)} s`],
  ];
  writeLine(terminal.stdout, "ingest summary");
  for (const [label, value] of rows) writeLine(terminal.stdout, `  ${label.padEnd(11)}${value}`);
}
