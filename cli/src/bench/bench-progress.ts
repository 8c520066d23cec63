import { writeLine, type Terminal } from "../terminal.js";
import type { RequestSample } from "./measure-request.js";

/** At most one progress line per this interval: enough to see a long run move, not to flood a log. */
const LINE_INTERVAL_MS = 2_000;

/** Counts ended requests and prints `bench: 120/500 requests, 3 errors` on stderr now and then. */
export function createBenchProgress(terminal: Terminal, total: number, now: () => number = Date.now): (sample: RequestSample) => void {
  let ended = 0;
  let errors = 0;
  let lastLine = now();
  return (sample) => {
    ended++;
    if (sample.outcome !== "done") errors++;
    if (now() - lastLine < LINE_INTERVAL_MS) return;
    lastLine = now();
    writeLine(terminal.stderr, `bench: ${ended}/${total} requests, ${errors} error(s)`);
  };
}
