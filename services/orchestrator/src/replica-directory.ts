import { KBAlignError } from "@kbalign/contracts";
import { NoRespondersError, Svcm, type Log, type NatsConnection } from "@kbalign/nats";

export interface ReplicaDirectoryOptions {
  /** How often the replicas are listed again (`$SRV.PING.<service>`). */
  refreshMs: number;
  /** How long a replica that failed a call is left out of the rotation. */
  avoidMs: number;
  log: Log;
}

export interface ReplicaDirectory {
  /**
   * The instance id the next call should go to: the replicas in turn, leaving out those that failed
   * lately. Undefined when none is known or all failed lately: then the service's queue group picks.
   */
  pick(): string | undefined;
  /** A call to `instance` failed: a replica-level failure leaves it out for a while, a vanished one at once. */
  failed(instance: string, error: KBAlignError): void;
  /** The replicas known now. */
  instances(): readonly string[];
  /** Lists the replicas again now. */
  refresh(): Promise<void>;
  stop(): void;
}

/** Failures another replica may not have: it is gone, overloaded, shutting down or not answering. */
const isReplicaFailure = (error: KBAlignError): boolean => error.code === "UNAVAILABLE" || error.code === "TIMEOUT" || error.code === "OVERLOADED";

/**
 * The live replicas of one micro service, found through the services framework's PING, so that the
 * orchestrator can choose where each call goes and send a retry to another replica than the one that
 * failed (a queue group picks at random, and may pick the failed one again).
 */
export function createReplicaDirectory(nc: NatsConnection, service: string, options: ReplicaDirectoryOptions): ReplicaDirectory {
  const client = new Svcm(nc).client({ strategy: "stall", stall: 50, maxWait: 500 });
  let known: string[] = [];
  const avoidUntil = new Map<string, number>();
  let next = 0;
  let refreshing: Promise<void> | undefined;

  const refresh = (): Promise<void> =>
    (refreshing ??= (async () => {
      try {
        const found: string[] = [];
        for await (const identity of await client.ping(service)) found.push(identity.id);
        found.sort();
        known = found;
        for (const id of avoidUntil.keys()) if (!found.includes(id)) avoidUntil.delete(id);
      } catch (err) {
        // Closed or reconnecting: keep the last list; calls still fall back to the queue group.
        if (!nc.isClosed()) options.log.debug({ err, service }, "could not list replicas");
      } finally {
        refreshing = undefined;
      }
    })());

  const timer = setInterval(() => void refresh(), options.refreshMs);
  timer.unref();
  void refresh();

  return {
    pick() {
      const now = Date.now();
      for (let tried = 0; tried < known.length; tried++) {
        const id = known[next++ % known.length];
        if (id !== undefined && (avoidUntil.get(id) ?? 0) <= now) return id;
      }
      return undefined;
    },
    failed(instance, error) {
      if (error instanceof NoRespondersError) {
        known = known.filter((id) => id !== instance);
        void refresh();
      } else if (isReplicaFailure(error)) {
        avoidUntil.set(instance, Date.now() + options.avoidMs);
      }
    },
    instances: () => known,
    refresh,
    stop: () => clearInterval(timer),
  };
}

/**
 * Runs `call` against the subject of the replica the directory picks (or the shared subject), and
 * tells the directory when it failed there.
 */
export async function callReplica<T>(
  replicas: ReplicaDirectory | undefined,
  subject: string,
  toInstanceSubject: (instance: string) => string,
  call: (subject: string) => Promise<T>,
): Promise<T> {
  const instance = replicas?.pick();
  try {
    return await call(instance === undefined ? subject : toInstanceSubject(instance));
  } catch (err) {
    if (instance !== undefined && err instanceof KBAlignError) replicas?.failed(instance, err);
    throw err;
  }
}
