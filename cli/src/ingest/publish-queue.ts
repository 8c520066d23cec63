/** Sends one message and resolves once the server has acknowledged it. */
export type Publish = (subject: string, data: Uint8Array) => Promise<unknown>;

export interface PublishQueueOptions<T> {
  publish: Publish;
  /** Acknowledgements awaited at once: enough to hide round trips, few enough to bound memory. */
  maxInFlight: number;
  /** Called once per message, with the error if it was not acknowledged. */
  onSettled: (tag: T, error?: unknown) => void;
}

export interface PublishQueue<T> {
  /** Starts publishing; resolves as soon as a slot is free (not when the ack arrives). */
  add(subject: string, data: Uint8Array, tag: T): Promise<void>;
  /** Resolves once every message added so far has settled. */
  drain(): Promise<void>;
}

/**
 * Pipelined publishing with a bound on acks in flight: one-at-a-time JetStream publishing is
 * limited by round trips (~5k/s), while unbounded publishing would buffer a whole corpus.
 */
export function createPublishQueue<T>(options: PublishQueueOptions<T>): PublishQueue<T> {
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const pending = new Set<Promise<void>>();

  const settle = (tag: T, error?: unknown) => {
    options.onSettled(tag, error);
  };

  return {
    async add(subject, data, tag) {
      while (inFlight >= options.maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight++;
      const settled: Promise<void> = options
        .publish(subject, data)
        .then(
          () => settle(tag),
          (err: unknown) => settle(tag, err),
        )
        .finally(() => {
          inFlight--;
          pending.delete(settled);
          waiting.shift()?.();
        });
      pending.add(settled);
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
