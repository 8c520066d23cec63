import { replyMux, type Msg, type NatsConnection } from "@kbalign/nats";

/** The replies to one query, in arrival order, until `close`. */
export interface ReplyStream {
  /** The reply subject to publish the query with. */
  readonly inbox: string;
  readonly messages: AsyncIterable<Msg>;
  /** Ends `messages` (after the ones already received) and stops routing to the inbox; idempotent. */
  close(): void;
}

/**
 * A query's replies as an async iterable, on an inbox of the connection's reply mux (one wildcard
 * subscription for every query: a query costs one PUB, no SUB and UNSUB of its own). Replies that
 * arrive after `close` are dropped; the connection closing ends the stream.
 */
export function openReplyStream(nc: NatsConnection): ReplyStream {
  const queue = new MessageQueue();
  const route = replyMux(nc).open({ onMessage: (msg) => queue.push(msg), onClosed: () => queue.end() });
  return {
    inbox: route.subject,
    messages: queue,
    close: () => {
      route.close();
      queue.end();
    },
  };
}

/** A single-consumer queue of messages: `push` never blocks; iteration waits for the next one or the end. */
class MessageQueue implements AsyncIterable<Msg> {
  private readonly buffered: Msg[] = [];
  private waiting: ((result: IteratorResult<Msg>) => void) | undefined;
  private ended = false;

  push(msg: Msg): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: msg, done: false });
    } else this.buffered.push(msg);
  }

  end(): void {
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Msg> {
    return {
      next: () => {
        const msg = this.buffered.shift();
        if (msg !== undefined) return Promise.resolve({ value: msg, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
