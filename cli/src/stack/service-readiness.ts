import { Svcm, type NatsConnection } from "@kbalign/nats";
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

/** How many instances of the micro service answer a PING (each answers once; the wait ends 100 ms after the last). */
export async function countInstances(nc: NatsConnection, name: string): Promise<number> {
  try {
    let count = 0;
    for await (const _ of await new Svcm(nc).client({ strategy: "stall", stall: 100, maxWait: PING_TIMEOUT_MS }).ping(name)) count++;
    return count;
  } catch {
    return 0;
  }
}

/** A micro service and how many of its instances must answer. */
export interface ExpectedService {
  name: string;
  instances: number;
}

/** Waits until every named service answers a PING, from as many instances as expected (1 when a plain name). */
export async function waitForServices(nc: NatsConnection, services: readonly (string | ExpectedService)[], options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let missing = services.map((s) => (typeof s === "string" ? { name: s, instances: 1 } : s));
  for (;;) {
    options.signal?.throwIfAborted();
    const answers = await Promise.all(missing.map((s) => (s.instances === 1 ? pingService(nc, s.name).then(Number) : countInstances(nc, s.name))));
    missing = missing.filter((s, i) => (answers[i] ?? 0) < s.instances);
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      const details = missing.map((s) => `  ${s.name}${s.instances > 1 ? ` (${s.instances} replicas)` : ""}${options.explain ? `: ${options.explain(s.name)}` : ""}`);
      throw new CliError(`not ready after ${Math.round(options.timeoutMs / 1000)} s:\n${details.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
