import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { newInbox } from "./inbox.js";

/** Where one request's replies arrive, until closed. */
export interface ReplyRoute {
  /** The reply subject to publish the request with. */
  subject: string;
  /** Stops routing: replies arriving later are dropped. */
  close(): void;
}

export interface ReplyHandlers {
  /** Each reply, in the order the connection received them. */
  onMessage(msg: Msg): void;
  /** The connection closed for good: no reply will come. */
  onClosed(): void;
}

/** One wildcard subscription that routes replies to the request they answer, by the last token of their subject. */
export interface ReplyMux {
  open(handlers: ReplyHandlers): ReplyRoute;
}

const muxes = new WeakMap<NatsConnection, ReplyMux>();

/**
 * The connection's reply mux: every request of this package (one reply or a stream of them)
 * receives on `<inbox>.<token>` under one subscription `<inbox>.*` made once, as nats.js does for
 * its own `request()`. A stream on a fresh inbox of its own costs a SUB and an UNSUB per request:
 * two more protocol operations for the client to write, and for nats-server a subscription added
 * to and removed from its routing table (which empties its match cache) every time.
 * The inbox is made under the connection's inbox prefix, so it stays within a user's permissions.
 */
export function replyMux(nc: NatsConnection): ReplyMux {
  let mux = muxes.get(nc);
  if (!mux) {
    mux = createReplyMux(nc);
    muxes.set(nc, mux);
  }
  return mux;
}

function createReplyMux(nc: NatsConnection): ReplyMux {
  const prefix = `${newInbox(nc)}.`;
  const routes = new Map<string, ReplyHandlers>();
  let closed = false;
  const sub = nc.subscribe(`${prefix}*`, {
    callback: (err, msg) => {
      // Errors of a callback subscription are its end (permissions, connection closed): see `closed` below.
      if (err) return;
      routes.get(msg.subject.slice(prefix.length))?.onMessage(msg);
    },
  });
  void sub.closed.then(
    () => closeAll(),
    () => closeAll(),
  );
  const closeAll = (): void => {
    closed = true;
    muxes.delete(nc);
    const ended = [...routes.values()];
    routes.clear();
    for (const handlers of ended) handlers.onClosed();
  };
  // Never reused within the connection, so a late reply to a closed route finds no one.
  let next = 0;
  return {
    open(handlers) {
      const token = (next++).toString(36);
      if (closed) queueMicrotask(() => handlers.onClosed());
      else routes.set(token, handlers);
      return { subject: prefix + token, close: () => routes.delete(token) };
    },
  };
}
