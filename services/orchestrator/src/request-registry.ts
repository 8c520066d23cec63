/**
 * The requests in flight on this replica, by requestId, each with the controller that cancels it.
 * Cancel messages reach every replica; only the one holding the id acts.
 */
export interface RequestRegistry {
  /** False when the id is already in flight here. */
  register(requestId: string, controller: AbortController): boolean;
  /** Removes the entry if it is still this controller's. */
  unregister(requestId: string, controller: AbortController): void;
  has(requestId: string): boolean;
  /** Aborts the request with `reason`; false when the id is not in flight here. */
  cancel(requestId: string, reason: Error): boolean;
  /** Aborts every request in flight with `reason`; returns how many. */
  cancelAll(reason: Error): number;
  size(): number;
}

export function createRequestRegistry(): RequestRegistry {
  const requests = new Map<string, AbortController>();
  return {
    register(requestId, controller) {
      if (requests.has(requestId)) return false;
      requests.set(requestId, controller);
      return true;
    },
    unregister(requestId, controller) {
      if (requests.get(requestId) === controller) requests.delete(requestId);
    },
    has: (requestId) => requests.has(requestId),
    cancel(requestId, reason) {
      const controller = requests.get(requestId);
      if (!controller) return false;
      controller.abort(reason);
      return true;
    },
    cancelAll(reason) {
      for (const controller of requests.values()) controller.abort(reason);
      return requests.size;
    },
    size: () => requests.size,
  };
}
