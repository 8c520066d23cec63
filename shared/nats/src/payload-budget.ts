import type { NatsConnection } from "@nats-io/nats-core";
import { encodeJson } from "./json.js";

/** nats-server's default `max_payload` (1 MiB), used until the connection has the server's INFO. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Bytes of `max_payload` kept for headers (trace context, the services framework's error headers:
 * a few hundred bytes in practice), since the server counts headers and body together.
 */
export const HEADER_ALLOWANCE_BYTES = 4 * 1024;

/** Appended to a text cut to fit a message, so a reader can tell it is not the whole text. */
export const TRUNCATION_MARKER = " […truncated]";

/** The largest JSON body one message on this connection may carry (the server's max_payload less the header allowance). */
export function bodyBudget(nc: Pick<NatsConnection, "info">): number {
  return maxBodyBytes(nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD_BYTES);
}

/** The body budget for a given `max_payload`. */
export function maxBodyBytes(maxPayload: number): number {
  return Math.max(1024, maxPayload - HEADER_ALLOWANCE_BYTES);
}

/** `text` cut to at most `maxChars` characters (plus the marker when cut), never splitting a surrogate pair. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const kept = text.slice(0, Math.max(0, maxChars));
  return `${/[\ud800-\udbff]$/.test(kept) ? kept.slice(0, -1) : kept}${TRUNCATION_MARKER}`;
}

/** An encoded body, and the cap its texts were cut to (undefined when nothing was cut). */
export interface FittedBody {
  data: Uint8Array;
  textCap?: number;
}

/**
 * Encodes `build(cap)` as JSON within `maxBytes`: first with no cap (`build(Infinity)`), then with
 * the largest cap on text lengths that fits, found by bisection up to `longestText`. Undefined when
 * even cap 0 does not fit (what is too large is not text). Only an oversized body pays the search.
 */
export function encodeWithinBudget(build: (textCap: number) => unknown, longestText: number, maxBytes: number): FittedBody | undefined {
  const whole = encodeJson(build(Number.POSITIVE_INFINITY));
  if (whole.length <= maxBytes) return { data: whole };
  let best: FittedBody | undefined;
  let low = 0;
  let high = longestText - 1;
  while (low <= high) {
    const cap = Math.floor((low + high) / 2);
    const data = encodeJson(build(cap));
    if (data.length <= maxBytes) {
      best = { data, textCap: cap };
      low = cap + 1;
    } else {
      high = cap - 1;
    }
  }
  return best;
}

/**
 * `text` in consecutive pieces whose JSON string encoding is at most `maxBytes` each (split on code
 * point boundaries; joined, they are `text` again). One piece when it fits, the common case.
 */
export function splitText(text: string, maxBytes: number): string[] {
  const encodedBytes = (piece: string) => encodeJson(piece).length;
  if (encodedBytes(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest !== "") {
    if (encodedBytes(rest) <= maxBytes) {
      pieces.push(rest);
      break;
    }
    // The longest prefix that fits, by bisection; at least one code point, so the loop always advances.
    // Every character takes at least one byte: no prefix longer than maxBytes can fit.
    let low = 1;
    let high = Math.min(rest.length, maxBytes);
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (encodedBytes(rest.slice(0, mid)) <= maxBytes) low = mid;
      else high = mid - 1;
    }
    let cut = low;
    if (/[\ud800-\udbff]/.test(rest.charAt(cut - 1))) cut = cut > 1 ? cut - 1 : cut + 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return pieces;
}
