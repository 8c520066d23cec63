import { CancelledError, type CancelReply, type CancelRequest } from "@kbalign/contracts";
import type { RequestRegistry } from "./request-registry.js";

/**
 * `kbalign.v1.cancel`: aborts the request if this replica holds it; its run then ends with
 * CANCELLED, which also stops the generator's stream. Every replica receives every cancel (no
 * queue group), so an unknown id is normal: another replica may hold it.
 */
export function createCancelHandler({ requests }: { requests: RequestRegistry }) {
  return async (req: CancelRequest): Promise<CancelReply> => ({
    cancelled: requests.cancel(req.requestId, new CancelledError("cancelled by the client")),
  });
}
