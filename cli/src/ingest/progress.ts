import cliProgress from "cli-progress";
import { writeLine, type Terminal } from "../terminal.js";

export interface Progress {
  /** One more record handled (published, rejected or failed). */
  tick(): void;
  /** Stops the bar (or prints the last line); call once. */
  finish(): void;
}

export interface ProgressOptions {
  /** Estimated number of records; the bar grows its total if the estimate was short. */
  total: number;
  /** Without a TTY, at most one plain line per this many milliseconds. */
  lineIntervalMs?: number;
  now?: () => number;
}

/**
 * A progress bar on stderr when it is a terminal; otherwise plain periodic lines (logs and CI
 * output cannot take a redrawn bar).
 */
export function createProgress(terminal: Terminal, options: ProgressOptions): Progress {
  return terminal.stderr.isTTY ? createBar(terminal, options.total) : createLines(terminal, options);
}

function createBar(terminal: Terminal, total: number): Progress {
  const bar = new cliProgress.SingleBar(
    { stream: terminal.stderr, format: "ingesting [{bar}] {value}/{total} documents | {duration_formatted}", hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let value = 0;
  bar.start(Math.max(total, 1), 0);
  return {
    tick() {
      value++;
      if (value > bar.getTotal()) bar.setTotal(value);
      bar.update(value);
    },
    finish() {
      bar.setTotal(value);
      bar.update(value);
      bar.stop();
    },
  };
}

function createLines(terminal: Terminal, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const interval = options.lineIntervalMs ?? 2_000;
  let value = 0;
  let printed = 0;
  let lastLine = now();
  const line = () => {
    writeLine(terminal.stderr, `ingest: ${value}/${Math.max(value, options.total)} documents`);
    printed = value;
  };
  return {
    tick() {
      value++;
      if (now() - lastLine >= interval) {
        lastLine = now();
        line();
      }
    },
    finish() {
      // Only when a periodic line was printed: a short ingest needs just its summary.
      if (printed > 0 && printed !== value) line();
    },
  };
}
