import { OverloadedError, type KBAlignError } from "@kbalign/contracts";

/** Frees the slot taken by `admit`; calling it again does nothing. */
export type Release = () => void;

export interface Admission {
  /**
   * Takes a slot, or throws OVERLOADED (retryable) at the limit, so the client hears at once; once
   * closed, throws the closing reason instead.
   */
  admit(): Release;
  inFlight(): number;
  /** The limit in force. */
  limit(): number;
  /**
   * Takes a new limit (runtime configuration `query.maxInFlight`) for the next `admit`; requests
   * already admitted keep their slots, so lowering it sheds only new requests.
   */
  setLimit(maxInFlight: number): void;
  /** Admits nothing more: every later `admit` throws `reason` (shutdown: a retryable UNAVAILABLE). */
  close(reason: KBAlignError): void;
}

/** Bounds the requests one replica handles at once: past the limit, queueing would only add latency. */
export function createAdmission(maxInFlight: number): Admission {
  let inFlight = 0;
  let closed: KBAlignError | undefined;
  return {
    admit() {
      if (closed) throw closed;
      if (inFlight >= maxInFlight) throw new OverloadedError(`too many requests in flight (limit ${maxInFlight}); retry shortly`);
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    inFlight: () => inFlight,
    limit: () => maxInFlight,
    setLimit(limit) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${limit}`);
      maxInFlight = limit;
    },
    close(reason) {
      closed = reason;
    },
  };
}
