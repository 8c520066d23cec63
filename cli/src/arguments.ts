import { InvalidArgumentError } from "commander";
import { CollectionName, Query, QueryRequest, TopN } from "@kbalign/contracts";
import type { z } from "zod";

// Option parsers for commander: each validates one flag at parse time, so a bad flag is a usage
// error (exit 2) reported before anything is read, connected or started. Where the flag feeds a
// wire field, the contract's own zod schema decides, so the CLI cannot accept what the service
// would refuse.

function bySchema<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? "invalid value");
  return result.data;
}

function integer(raw: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new InvalidArgumentError("must be an integer");
  return Number(raw);
}

export const parseCollection = (raw: string): CollectionName => bySchema(CollectionName, raw);

export const parseTopN = (raw: string): number => bySchema(TopN, integer(raw));

/** The request's `timeoutMs`, within the bounds the contract allows. */
export const parseTimeoutMs = (raw: string): number => bySchema(QueryRequest.shape.timeoutMs.unwrap(), integer(raw));

/** A TCP port; 0 is refused (the NATS port must be known to print it). */
export function parsePort(raw: string): number {
  const port = integer(raw);
  if (port < 1 || port > 65_535) throw new InvalidArgumentError("must be a port from 1 to 65535");
  return port;
}

/** How many replicas of each service `kbalign up` runs. */
export function parseReplicas(raw: string): number {
  const n = integer(raw);
  if (n < 1 || n > 16) throw new InvalidArgumentError("must be from 1 to 16");
  return n;
}

/** The first of three consecutive ops ports, or 0 for any free ports. */
export function parseOpsPortBase(raw: string): number {
  const port = integer(raw);
  if (port !== 0 && (port < 1 || port > 65_533)) throw new InvalidArgumentError("must be 0 (any free ports) or a port from 1 to 65533");
  return port;
}

/** A listener port: 0 (any free port) or 1-65535. */
export function parseListenerPort(raw: string): number {
  const port = integer(raw);
  if (port !== 0 && (port < 1 || port > 65_535)) throw new InvalidArgumentError("must be 0 (any free port) or a port from 1 to 65535");
  return port;
}

const NATS_URL_PATTERN = /^(nats|tls|ws|wss):\/\/[^\s/]+$/;

/** One NATS URL or a comma-separated list, e.g. `nats://127.0.0.1:4222`. */
export function parseNatsUrl(raw: string): string {
  const urls = raw.split(",").map((url) => url.trim());
  if (urls.some((url) => !NATS_URL_PATTERN.test(url))) throw new InvalidArgumentError("must look like nats://host:port (comma-separated for several)");
  return urls.join(",");
}

export const parseQuestion = (raw: string): string => bySchema(Query, raw);

/** A non-empty text flag, e.g. a system prompt. */
export function parseText(raw: string): string {
  if (raw.trim() === "") throw new InvalidArgumentError("must not be empty");
  return raw;
}
