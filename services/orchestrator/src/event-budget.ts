import type { RecallEvent, StageEvent } from "@kbalign/contracts";
import { encodeJson, encodeWithinBudget, truncateText } from "@kbalign/nats";

/** How an event was made to fit: sent whole, its texts cut (marked), or replaced by an error. */
export type EventFit = "whole" | "truncated" | "replaced";

export interface FittedEvent {
  /** The event as sent: the original, a copy with cut texts, or the terminal `error` that replaced it. */
  sent: StageEvent;
  data: Uint8Array;
  fit: EventFit;
  /** Size of the original event, encoded. */
  bytes: number;
}

/**
 * Makes a stage event fit in `maxBytes` (the server's max_payload less room for headers). An event
 * too large has its texts cut, longest first, each marked (`TRUNCATION_MARKER`), everything else
 * kept: a recall event keeps every `docs` entry, so the client still knows what was recalled. An
 * event that cannot fit even so (what is too large is not text) becomes an `error` event with the
 * same requestId and seq: `INTERNAL`, not retryable, saying why. It ends the request, so the
 * contract's "exactly one terminal event" still holds, instead of the request ending with nothing.
 */
export function fitEvent(event: StageEvent, maxBytes: number): FittedEvent {
  const whole = encodeJson(event);
  if (whole.length <= maxBytes) return { sent: event, data: whole, fit: "whole", bytes: whole.length };
  const { build, longest } = textCapper(event);
  const fitted = encodeWithinBudget(build, longest, maxBytes);
  if (fitted?.textCap !== undefined) return { sent: build(fitted.textCap), data: fitted.data, fit: "truncated", bytes: whole.length };
  const replacement: StageEvent = {
    requestId: event.requestId,
    seq: event.seq,
    state: "error",
    code: "INTERNAL",
    retryable: false,
    value: `the ${event.state} event is ${whole.length} bytes, more than the ${maxBytes} bytes a NATS message may carry here (max_payload), even with its texts cut`,
  };
  return { sent: replacement, data: encodeJson(replacement), fit: "replaced", bytes: whole.length };
}

/** The event with every text cut to `cap` characters, and the longest text's length. */
function textCapper(event: StageEvent): { build: (cap: number) => StageEvent; longest: number } {
  if (isRecall(event)) {
    const recall = event;
    return {
      build: (cap) => ({ ...recall, value: recall.value.map((text) => truncateText(text, cap)) }),
      longest: recall.value.reduce((most, text) => Math.max(most, text.length), 0),
    };
  }
  const single = event;
  return { build: (cap) => ({ ...single, value: truncateText(single.value, cap) }), longest: single.value.length };
}

// A type guard, since TS cannot narrow the union by a discriminant that is itself a union ("recall" | "query_expansion_recall").
function isRecall(event: StageEvent): event is RecallEvent {
  return event.state === "recall" || event.state === "query_expansion_recall";
}
