import { CancelledError, GenerateCancel, Subjects, type KBAlignError } from "@kbalign/contracts";
import { decodeRequest, type Log, type NatsConnection, type Subscription } from "@kbalign/nats";

/** A stream in flight: its signal aborts when the stream is cancelled. */
export interface StreamRegistration {
  readonly signal: AbortSignal;
  /** Forgets the stream; call exactly once, when it ends. */
  release(): void;
}

/** streamId → the abort controllers of the streams running under it on this replica. */
export interface Cancellations {
  register(streamId: string): StreamRegistration;
  /** Aborts every stream running under `streamId` with `reason` (CancelledError by default); returns how many. */
  cancel(streamId: string, reason?: KBAlignError): number;
  /** Aborts every stream in flight, e.g. at shutdown; returns how many. */
  cancelAll(reason: KBAlignError): number;
  /** Streams in flight. */
  readonly size: number;
  /** Resolves once no stream is in flight. */
  idle(): Promise<void>;
}

export function createCancellations(): Cancellations {
  // A set per id: a caller retrying on the same replica may briefly run two streams under one id,
  // and a cancel must stop both.
  const streams = new Map<string, Set<AbortController>>();
  let size = 0;
  let waiters: (() => void)[] = [];

  const abortAll = (controllers: Iterable<AbortController>, reason: KBAlignError): number => {
    let n = 0;
    for (const controller of controllers) {
      if (controller.signal.aborted) continue;
      controller.abort(reason);
      n++;
    }
    return n;
  };

  return {
    register(streamId) {
      const controller = new AbortController();
      let set = streams.get(streamId);
      if (!set) {
        set = new Set();
        streams.set(streamId, set);
      }
      set.add(controller);
      size++;
      let released = false;
      return {
        signal: controller.signal,
        release() {
          if (released) return;
          released = true;
          set.delete(controller);
          if (set.size === 0 && streams.get(streamId) === set) streams.delete(streamId);
          size--;
          if (size === 0) {
            const done = waiters;
            waiters = [];
            for (const resolve of done) resolve();
          }
        },
      };
    },
    cancel(streamId, reason = new CancelledError(`generation ${streamId} cancelled`)) {
      return abortAll(streams.get(streamId) ?? [], reason);
    },
    cancelAll(reason) {
      return abortAll([...streams.values()].flatMap((set) => [...set]), reason);
    },
    get size() {
      return size;
    },
    idle() {
      return size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/**
 * Listens on `kbalign.v1.generate.cancel` with no queue group: every replica hears every cancel
 * and stops the stream if it runs it (at most one does, bar retries).
 */
export function subscribeCancellations(nc: NatsConnection, cancellations: Cancellations, log: Log): Subscription {
  return nc.subscribe(Subjects.generateCancel, {
    callback: (err, msg) => {
      if (err) {
        log.error({ err }, "cancel subscription failed");
        return;
      }
      let cancel: GenerateCancel;
      try {
        cancel = decodeRequest(msg.data, GenerateCancel);
      } catch (error) {
        log.warn({ err: error, bytes: msg.data.length }, "ignored malformed generate cancel");
        return;
      }
      const stopped = cancellations.cancel(cancel.streamId);
      if (stopped > 0) log.debug({ streamId: cancel.streamId, stopped }, "generation cancelled");
    },
  });
}
