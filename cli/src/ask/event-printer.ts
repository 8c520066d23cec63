import type { DocRef, StageEvent, TimingsMs } from "@kbalign/contracts";
import { writeLine, type Terminal } from "../terminal.js";

export type EventSink = (event: StageEvent) => void;

/** Longest document title shown in full; the rest is elided. */
const MAX_TITLE_CHARS = 80;

/** The timed stages in pipeline order, with how a person reads them. */
const STAGE_LABELS: ReadonlyArray<[keyof Omit<TimingsMs, "total">, string]> = [
  ["recall", "recall"],
  ["first_answer", "first answer"],
  ["query_expansion_recall", "expansion recall"],
  ["final_answer", "final answer"],
];

/**
 * Prints the stages for a person: the recalled documents numbered with id, score and title, the
 * first answer, the expansion recall, then the final answer streamed as its chunks arrive, and the
 * terminal event (timings and degradations, or the error on stderr).
 */
export function createReadablePrinter(terminal: Terminal): EventSink {
  const out = terminal.stdout;
  let streaming = false;
  const endStreaming = () => {
    if (streaming) writeLine(out);
    streaming = false;
  };
  return (event) => {
    if (event.state !== "data") endStreaming();
    switch (event.state) {
      case "recall":
      case "query_expansion_recall":
        writeLine(out, `${event.state === "recall" ? "recall" : "query expansion recall"} · ${event.docs.length} document(s)`);
        event.docs.forEach((doc, i) => writeLine(out, formatDoc(doc, i, event.docs.length)));
        if (event.docs.length === 0) writeLine(out, "  (none)");
        break;
      case "first_answer":
        writeLine(out, "first answer");
        writeLine(out, indent(event.value));
        break;
      case "data":
        if (!streaming) writeLine(out, "answer");
        streaming = true;
        out.write(event.value);
        break;
      case "done":
        writeLine(out, `done · ${formatTimings(event.timingsMs)}`);
        for (const d of event.degraded) writeLine(out, `  degraded ${d.stage}: ${d.code} → ${d.fallback} (${d.message})`);
        break;
      case "error":
        writeLine(terminal.stderr, `error ${event.code}${event.field ? ` (${event.field})` : ""}: ${event.value}${event.retryable ? " [retryable]" : ""}`);
        break;
    }
  };
}

function formatDoc(doc: DocRef, index: number, count: number): string {
  const number = `${index + 1}.`.padStart(String(count).length + 3);
  const title = doc.title === undefined ? "" : `  ${elide(doc.title, MAX_TITLE_CHARS)}`;
  return `${number} ${doc.id}  ${doc.score.toFixed(2)}${title}`;
}

export function formatTimings(timings: TimingsMs): string {
  const stages = STAGE_LABELS.flatMap(([stage, label]) => {
    const ms = timings[stage];
    return ms === undefined ? [] : [`${label} ${Math.round(ms)} ms`];
  });
  return `${Math.round(timings.total)} ms${stages.length > 0 ? ` (${stages.join(", ")})` : ""}`;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");

const elide = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** `--json`: every event exactly as received, one JSON document per line. */
export const printJsonLine = (raw: unknown, terminal: Terminal): void => writeLine(terminal.stdout, JSON.stringify(raw));
