import cliProgress from "cli-progress";
import { writeLine, type Terminal } from "../terminal.js";
import type { QuestionResult } from "./evaluate-question.js";

export interface EvalProgress {
  /** One more question scored. */
  add(result: QuestionResult): void;
  /** Stops the bar (or prints the last line); call once. */
  finish(): void;
}

/** Without a terminal, at most one plain line per this interval: a long run visibly moves, a log is not flooded. */
const LINE_INTERVAL_MS = 2_000;

/**
 * A progress bar on stderr when it is a terminal (questions, failures, degradations, ETA);
 * otherwise a plain line now and then (logs and CI output cannot take a redrawn bar).
 */
export function createEvalProgress(terminal: Terminal, total: number, now: () => number = Date.now): EvalProgress {
  let done = 0;
  let failed = 0;
  let degraded = 0;
  const count = (result: QuestionResult) => {
    done++;
    if (result.outcome !== "done") failed++;
    if (result.degraded.length > 0) degraded++;
  };
  if (terminal.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: terminal.stderr,
        format: "eval [{bar}] {value}/{total} questions | {failed} failed | {degraded} degraded | {duration_formatted} (ETA {eta_formatted})",
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0, { failed: 0, degraded: 0 });
    return {
      add(result) {
        count(result);
        bar.update(done, { failed, degraded });
      },
      finish: () => bar.stop(),
    };
  }
  let lastLine = now();
  let printed = 0;
  const line = () => {
    printed = done;
    writeLine(terminal.stderr, `eval: ${done}/${total} questions, ${failed} failed, ${degraded} degraded`);
  };
  return {
    add(result) {
      count(result);
      if (now() - lastLine < LINE_INTERVAL_MS) return;
      lastLine = now();
      line();
    },
    finish() {
      if (printed > 0 && printed !== done) line();
    },
  };
}
