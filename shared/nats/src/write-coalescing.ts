import type { NatsConnection } from "@nats-io/nats-core";

/**
 * The part of nats-core's (3.4) ProtocolHandler this reaches: its outbound buffer, the call that
 * writes the buffer to the socket, and the one that queues a protocol operation.
 */
interface Protocol {
  outbound: { fill(data: Uint8Array, ...payloads: Uint8Array[]): void; size(): number };
  pendingLimit: number;
  flushPending(): void;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  close(err?: Error): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Makes the connection write its queued protocol operations (PUB, SUB, UNSUB, …) to the socket
 * once per event-loop turn instead of once per chain of promise callbacks.
 *
 * nats-core schedules the socket write with `queueMicrotask` when an operation lands in an empty
 * buffer, so publishes separated by an `await` (a stage event, then the next stage's request; a
 * reply, then the next query's) each cost one `write` system call. On loopback a write costs far
 * more than the publish itself (the kernel delivers to the server in the caller's time): it was a
 * quarter of the orchestrator's CPU. Deferring the write with `setImmediate` sends everything the
 * turn produced in one write, right after the I/O callbacks of the turn; a full buffer
 * (`pendingLimit`) still goes out at once, and `close()` writes what is queued before closing.
 * `flush()` and `drain()` write at once as before.
 *
 * Reaches into the library's internals, checking their shape: returns false (and changes
 * nothing) when they differ, so a nats-core upgrade degrades to its own behaviour; the test
 * `write-coalescing.test.ts` fails then.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol: unknown = Reflect.get(nc, "protocol");
  if (!isProtocol(protocol)) return false;
  const close = protocol.close;
  let scheduled = false;
  const flushQueued = (): void => {
    scheduled = false;
    protocol.flushPending();
  };
  protocol.sendCommand = (cmd, ...payloads) => {
    protocol.outbound.fill(typeof cmd === "string" ? encoder.encode(cmd) : cmd, ...payloads);
    if (protocol.outbound.size() >= protocol.pendingLimit) {
      protocol.flushPending();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flushQueued);
    }
  };
  protocol.close = (err) => {
    protocol.flushPending();
    return close.call(protocol, err);
  };
  return true;
}

function isProtocol(value: unknown): value is Protocol {
  if (typeof value !== "object" || value === null) return false;
  const outbound: unknown = Reflect.get(value, "outbound");
  return (
    typeof Reflect.get(value, "sendCommand") === "function" &&
    typeof Reflect.get(value, "flushPending") === "function" &&
    typeof Reflect.get(value, "close") === "function" &&
    typeof Reflect.get(value, "pendingLimit") === "number" &&
    typeof outbound === "object" &&
    outbound !== null &&
    typeof Reflect.get(outbound, "fill") === "function" &&
    typeof Reflect.get(outbound, "size") === "function"
  );
}
