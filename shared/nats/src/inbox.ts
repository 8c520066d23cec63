import { createInbox, type NatsConnection } from "@nats-io/nats-core";

/**
 * A fresh reply subject under the connection's inbox prefix (`_INBOX.<user>` when it logged in
 * with a user/password file), so replies arrive on subjects the user may subscribe to. Reply
 * subjects made by hand with the default `_INBOX.` would be refused under kbalign's permissions.
 */
export function newInbox(nc: NatsConnection): string {
  // The connection keeps the options it was opened with; the public interface does not declare them.
  const options = (nc as { options?: { inboxPrefix?: string } }).options;
  return createInbox(options?.inboxPrefix);
}
