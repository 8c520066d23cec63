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
  /** The limit now. */
  limit(): number;
  /** Admits nothing more: every later `admit` throws `reason` (shutdown: a retryable UNAVAILABLE). */
  close(reason: KBAlignError): void;
}

/**
 * Bounds the requests one replica handles at once: past the limit, queueing would only add latency.
 * The limit is fixed, or read at each admission (an adaptive limit, or one changed at run time).
 */
export function createAdmission(maxInFlight: number | (() => number)): Admission {
  const limit = typeof maxInFlight === "number" ? () => maxInFlight : maxInFlight;
  let inFlight = 0;
  let closed: KBAlignError | undefined;
  return {
    admit() {
      if (closed) throw closed;
      const max = limit();
      if (inFlight >= max) throw new OverloadedError(`too many requests in flight (limit ${max}); retry shortly`);
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    inFlight: () => inFlight,
    limit,
    close(reason) {
      closed = reason;
    },
  };
}
