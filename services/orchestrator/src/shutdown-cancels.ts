import { CancelRequest, Subjects, type CancelReply } from "@kbalign/contracts";
import { decodeRequest, encodeJson, type Log, type NatsConnection, type Subscription } from "@kbalign/nats";

/**
 * Cancels during a shutdown's grace period. The service is stopped first, so that new queries go
 * to the other replicas (the services framework stops all of a service's endpoints together), but
 * the requests still running must stay cancellable: this plain subscription takes the cancel
 * endpoint's place until they are over.
 */
export function subscribeShutdownCancels(nc: NatsConnection, handle: (req: CancelRequest) => Promise<CancelReply>, log: Log): Subscription {
  return nc.subscribe(Subjects.cancel, {
    callback: (err, msg) => {
      if (err) return;
      let req: CancelRequest;
      try {
        req = decodeRequest(msg.data, CancelRequest);
      } catch (error) {
        log.debug({ err: error }, "ignored a malformed cancel during shutdown");
        return;
      }
      void handle(req).then(
        (reply) => {
          if (msg.reply) msg.respond(encodeJson(reply));
        },
        (error: unknown) => log.warn({ err: error }, "cancel failed during shutdown"),
      );
    },
  });
}
