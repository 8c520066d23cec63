import { writeLine, type Terminal } from "../terminal.js";
import type { RequestSample } from "./measure-request.js";

/** At most one progress line per this interval. */
const LINE_INTERVAL_MS = 2_000;

export interface StepProgress {
  onSample(sample: RequestSample): void;
  /** Stops the periodic line. */
  stop(): void;
}

/** Prints `bench: 250/s · 4/10 s · 1000 ended, 2 error(s)` on stderr every 2 s while a step runs. */
export function startStepProgress(terminal: Terminal, rate: number, durationSeconds: number): StepProgress {
  const started = Date.now();
  let ended = 0;
  let errors = 0;
  const timer = setInterval(() => {
    const elapsed = Math.min(durationSeconds, (Date.now() - started) / 1000);
    writeLine(terminal.stderr, `bench: ${rate}/s · ${elapsed.toFixed(0)}/${durationSeconds} s · ${ended} ended, ${errors} error(s)`);
  }, LINE_INTERVAL_MS);
  timer.unref();
  return {
    onSample(sample) {
      ended++;
      if (sample.outcome !== "done") errors++;
    },
    stop: () => clearInterval(timer),
  };
}
