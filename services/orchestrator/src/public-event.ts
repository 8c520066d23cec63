import { publicMessage, type StageEvent } from "@kbalign/contracts";

/**
 * The event as a client may see it: an `error` event's text and each `done.degraded[].message`
 * are replaced by their public message (publicMessage), so a provider's error body, an LLM or NATS
 * address, an internal subject or a stack never leaves the orchestrator. The full texts are in
 * its logs ("degraded", "request ended with an error").
 */
export function toPublicEvent(event: StageEvent): StageEvent {
  switch (event.state) {
    case "error":
      return { ...event, value: publicMessage({ code: event.code, message: event.value }) };
    case "done":
      return event.degraded.length === 0 ? event : { ...event, degraded: event.degraded.map((d) => ({ ...d, message: publicMessage(d) })) };
    default:
      return event;
  }
}
