import type { Msg, NatsConnection, Subscription } from "@kbalign/nats";
import { newInbox } from "@kbalign/nats";

/** The replies to one query, in arrival order, until `close`. */
export interface ReplyStream {
  /** The reply subject to publish the query with. */
  readonly inbox: string;
  readonly messages: AsyncIterable<Msg>;
  /** Ends `messages` (after the ones already received) and forgets the inbox; idempotent. */
  close(): void;
}

/**
 * Every query's replies over one wildcard subscription per connection (`<prefix>.*`), told apart by
 * the inbox's last token: nats.js's request() does the same for single replies. A query then costs
 * one PUB instead of SUB + PUB + UNSUB, i.e. one socket write instead of two and no interest
 * changes on the server, which is what a client sending hundreds of queries a second pays for most.
 * Replies to an inbox already closed (a late event after a client-side give-up) are dropped.
 */
export class ReplyMux {
  private readonly prefix: string;
  private readonly subscription: Subscription;
  private readonly streams = new Map<string, MessageQueue>();
  private next = 0;

  constructor(nc: NatsConnection) {
    this.prefix = newInbox(nc);
    this.subscription = nc.subscribe(`${this.prefix}.*`, {
      callback: (_error, msg) => this.streams.get(msg.subject.slice(this.prefix.length + 1))?.push(msg),
    });
    // The subscription ends with the connection: every open stream ends with it.
    void this.subscription.closed.then(() => {
      for (const queue of this.streams.values()) queue.end();
      this.streams.clear();
    });
  }

  open(): ReplyStream {
    const token = (this.next++).toString(36);
    const queue = new MessageQueue();
    if (this.subscription.isClosed()) queue.end();
    else this.streams.set(token, queue);
    return {
      inbox: `${this.prefix}.${token}`,
      messages: queue,
      close: () => {
        this.streams.delete(token);
        queue.end();
      },
    };
  }

  /** The mux of `nc`, made on first use and kept as long as the connection object lives. */
  static of(nc: NatsConnection): ReplyMux {
    let mux = muxes.get(nc);
    if (!mux) {
      mux = new ReplyMux(nc);
      muxes.set(nc, mux);
    }
    return mux;
  }
}

const muxes = new WeakMap<NatsConnection, ReplyMux>();

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
