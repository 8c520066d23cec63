import type { NatsConnection } from "@kbalign/nats";
import { CliError } from "../errors.js";

/** One PING's reply window; a ready service answers in about a millisecond. */
const PING_TIMEOUT_MS = 1_000;
const POLL_INTERVAL_MS = 200;

/**
 * True when at least one instance of the micro service answers a PING. The services framework
 * subscribes `$SRV.PING.<name>` only once the service is registered, and a retriever registers
 * only once its index caught up with the KB stream, so an answer means "ready".
 */
export async function pingService(nc: NatsConnection, name: string): Promise<boolean> {
  try {
    await nc.request(`$SRV.PING.${name}`, "", { timeout: PING_TIMEOUT_MS });
    return true;
  } catch {
    // No responders or no reply in time: not ready yet, which is what this asks.
    return false;
  }
}

export interface ReadinessOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Says what is still missing when the wait fails (e.g. the last lines of its output). */
  explain?: (name: string) => string;
}

/** Waits until every named service answers a PING. */
export async function waitForServices(nc: NatsConnection, names: readonly string[], options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let missing = [...names];
  for (;;) {
    options.signal?.throwIfAborted();
    const answers = await Promise.all(missing.map((name) => pingService(nc, name)));
    missing = missing.filter((_, i) => !answers[i]);
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      const details = missing.map((name) => `  ${name}${options.explain ? `: ${options.explain(name)}` : ""}`);
      throw new CliError(`not ready after ${Math.round(options.timeoutMs / 1000)} s:\n${details.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
