/**
 * Longest header value we send. Headers are a label for `nats micro` and people reading traffic;
 * the full text travels in the JSON body, so a short line is enough and keeps the header block small.
 */
export const HEADER_VALUE_MAX_CHARS = 256;

// A run of C0 controls (CR, LF, tab, …), DEL, C1 controls or Unicode line/paragraph separators,
// with the blanks around it (the indentation after a newline).
const CONTROL_RUNS = /\s*[\u0000-\u001f\u007f-\u009f\u2028\u2029][\s\u0000-\u001f\u007f-\u009f]*/g;

/**
 * A text made safe as one NATS header value: nats.js refuses a value holding CR or LF by throwing
 * from `respond`, so an error reply with such a message would never leave and its caller would wait
 * for its timeout. Control runs (and the blanks around them) become one space; the result is trimmed and capped (with "…").
 */
export function toHeaderValue(text: string, maxChars = HEADER_VALUE_MAX_CHARS): string {
  const line = text.replace(CONTROL_RUNS, " ").trim();
  if (line.length <= maxChars) return line;
  const kept = line.slice(0, maxChars - 1);
  // Never leave half of a surrogate pair at the cut.
  return `${/[\ud800-\udbff]$/.test(kept) ? kept.slice(0, -1) : kept}…`;
}
