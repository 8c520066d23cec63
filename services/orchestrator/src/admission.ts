import { OverloadedError, type KBAlignError } from "@kbalign/contracts";

/** Frees the slot taken by `admit`; calling it again does nothing. */
export type Release = () => void;

export interface Admission {
  /**
   * Takes a slot, or throws OVERLOADED (retryable) at the limit, so the client hears at once; once
   * closed, throws the closing reason instead.
   */
  admit(): Release;
  /**
   * Why `admit` would throw now (OVERLOADED at the limit, the closing reason once closed), or
   * undefined while a slot is free: a caller sheds load on it before doing any other work. The
   * error is reused while the limit stays the same (no stack captured per refusal).
   */
  refusal(): KBAlignError | undefined;
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
  let overloaded: OverloadedError | undefined;
  const refusal = (): KBAlignError | undefined => {
    if (closed) return closed;
    const max = limit();
    if (inFlight < max) return undefined;
    const message = `too many requests in flight (limit ${max}); retry shortly`;
    if (overloaded?.message !== message) overloaded = new OverloadedError(message);
    return overloaded;
  };
  return {
    admit() {
      const refused = refusal();
      if (refused) throw refused;
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
    refusal,
    inFlight: () => inFlight,
    limit,
    close(reason) {
      closed = reason;
    },
  };
}
