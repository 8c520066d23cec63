import { BadRequestError, badRequestFromZod, CancelledError, CancelRequest, type CancelReply, type ErrorCode } from "@kbalign/contracts";
import { decodeJson, encodeJson } from "@kbalign/nats";
import type { RequestRegistry } from "./request-registry.js";

/** The part of a NATS message the handler uses. */
export interface CancelMessage {
  data: Uint8Array;
  reply?: string;
  respond(data: Uint8Array): boolean;
}

/**
 * `kbalign.v1.cancel`: aborts the request if this replica holds it; its run then ends with
 * CANCELLED, which also stops the generator's stream. Every replica receives every cancel (no
 * queue group), so only the one holding the id answers `{"cancelled": true}`: the others stay
 * silent, or a `request()` would usually hear a `false` from a replica that got there first. No
 * answer at all means no replica holds the id (it finished, or never existed). A malformed body is
 * thrown, and answered as a BAD_REQUEST error envelope by the endpoint.
 */
export function createCancelHandler({ requests }: { requests: RequestRegistry }) {
  return async (msg: CancelMessage): Promise<ErrorCode | "OK"> => {
    let body: unknown;
    try {
      body = decodeJson(msg.data);
    } catch {
      throw new BadRequestError("cancel body is not valid JSON");
    }
    const parsed = CancelRequest.safeParse(body);
    if (!parsed.success) throw badRequestFromZod(parsed.error, "cancel request");
    if (!requests.cancel(parsed.data.requestId, new CancelledError("cancelled by the client"))) return "OK";
    if (msg.reply) msg.respond(encodeJson({ cancelled: true } satisfies CancelReply));
    return "OK";
  };
}
