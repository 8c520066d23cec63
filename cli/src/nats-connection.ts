import { connectNats, type NatsConnection } from "@kbalign/nats";
import { canConnect } from "./ports.js";
import { CliError } from "./errors.js";

/** How long a command waits for NATS before it gives up with a clear message. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects a CLI command to NATS, failing fast with an actionable message when nothing listens.
 * connectNats retries forever by design (right for services, wrong for a command a person waits
 * on), so a TCP probe fails at once on "connection refused" and a timer bounds the rest.
 */
export async function connectCli(url: string, name: string): Promise<NatsConnection> {
  const endpoints = url.split(",").map(parseEndpoint);
  const plain = endpoints.filter((e): e is Endpoint => e !== undefined);
  if (plain.length === endpoints.length) {
    const reachable = await Promise.all(plain.map((e) => canConnect(e.port, e.host, CONNECT_TIMEOUT_MS)));
    if (!reachable.some(Boolean)) throw unreachable(url, "connection refused");
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(url, `no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    // If the timer wins, the connect attempt keeps retrying in the background; the command fails
    // and main.ts ends the process, which is what stops it (connectNats exposes no way to).
    return await Promise.race([connectNats({ url, name, connectTimeoutMs: CONNECT_TIMEOUT_MS }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Endpoint {
  host: string;
  port: number;
}

/** host and port of a `nats://` URL; undefined for schemes a TCP probe cannot judge (tls, ws). */
function parseEndpoint(raw: string): Endpoint | undefined {
  const match = /^nats:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?$/.exec(raw.trim());
  if (!match?.[1]) return undefined;
  return { host: match[1].replace(/^\[|\]$/g, ""), port: match[2] ? Number(match[2]) : 4222 };
}

const unreachable = (url: string, why: string) =>
  new CliError(`cannot reach NATS at ${url}: ${why}. Is it running? Start a local stack with \`kbalign up\`, or pass --nats URL / set NATS_URL.`);
