import { InvalidArgumentError } from "commander";

// Option parsers for `kbalign bench`, in the style of ../arguments.ts: a bad flag is a usage
// error (exit 2) before anything is read or connected.

const MAX_REQUESTS = 10_000_000;
/** Far beyond what one Node client can keep in flight usefully (see NATS-NOTES: ~64 saturate it). */
const MAX_CONCURRENCY = 4_096;
const MAX_LABEL_CHARS = 100;

function integerWithin(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return value;
}

export const parseRequestCount = (raw: string): number => integerWithin(raw, 1, MAX_REQUESTS);
export const parseConcurrency = (raw: string): number => integerWithin(raw, 1, MAX_CONCURRENCY);
export const parseWarmup = (raw: string): number => integerWithin(raw, 0, MAX_REQUESTS);

/** One `--metrics` URL (http or https), added to the ones before it: the flag repeats. */
export function collectMetricsUrl(raw: string, previous: string[] = []): string[] {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidArgumentError("must be an http(s) URL, e.g. http://127.0.0.1:9101/metrics");
  }
  return [...previous, url.href];
}

/** Names the run in its results; any text, kept as written (file names get a safe form of it). */
export function parseLabel(raw: string): string {
  const label = raw.trim();
  if (label === "" || label.length > MAX_LABEL_CHARS) throw new InvalidArgumentError(`must be 1-${MAX_LABEL_CHARS} characters`);
  return label;
}

/** Highest open-loop rate accepted: far beyond what one Node client can send (~20k NATS requests/s). */
const MAX_RATE = 100_000;
const MAX_DURATION_SECONDS = 3_600;
const MAX_TARGET_MS = 600_000;

function positiveNumberWithin(raw: string, max: number, what: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || value > max) throw new InvalidArgumentError(`must be a ${what} above 0 and at most ${max}`);
  return value;
}

/** `--rate`, `--rate-step`, `--max-rate`: arrivals per second. */
export const parseRate = (raw: string): number => positiveNumberWithin(raw, MAX_RATE, "number of queries per second");
/** `--duration`: seconds per rate. */
export const parseDurationSeconds = (raw: string): number => positiveNumberWithin(raw, MAX_DURATION_SECONDS, "number of seconds");
/** `--target-p99`: milliseconds. */
export const parseTargetMs = (raw: string): number => positiveNumberWithin(raw, MAX_TARGET_MS, "number of milliseconds");

/** `--nats-monitor`: nats-server's monitoring base URL; its /varz is read. */
export function parseMonitorUrl(raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InvalidArgumentError("must be nats-server's monitoring http(s) URL, e.g. http://127.0.0.1:8222");
  }
  return new URL("varz", url.href.endsWith("/") ? url.href : `${url.href}/`).href;
}
