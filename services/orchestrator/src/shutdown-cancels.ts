import { Subjects } from "@kbalign/contracts";
import type { Log, NatsConnection, Subscription } from "@kbalign/nats";
import type { CancelMessage } from "./cancel-handler.js";

/**
 * Cancels during a shutdown's grace period. The service is stopped first, so that new queries go
 * to the other replicas (the services framework stops all of a service's endpoints together), but
 * the requests still running must stay cancellable: this plain subscription takes the cancel
 * endpoint's place until they are over, with the same handler.
 */
export function subscribeShutdownCancels(nc: NatsConnection, handle: (msg: CancelMessage) => Promise<unknown>, log: Log): Subscription {
  return nc.subscribe(Subjects.cancel, {
    callback: (err, msg) => {
      if (err) return;
      void handle(msg).catch((error: unknown) => log.debug({ err: error }, "ignored a malformed cancel during shutdown"));
    },
  });
}
