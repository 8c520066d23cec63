import { Counter, type Registry } from "prom-client";

/**
 * `kbalign_nats_reconnects_total` and `kbalign_nats_disconnects_total`, counted from a NATS
 * connection's status iterator (`nc.status()`: typed structurally, so telemetry does not depend on
 * the NATS client). Resolves when the iterator ends (the connection closed).
 */
export async function countConnectionStatus(status: AsyncIterable<{ type: string }>, registry: Registry): Promise<void> {
  const reconnects = new Counter({
    name: "kbalign_nats_reconnects_total",
    help: "Times the NATS connection was re-established after losing its server.",
    registers: [registry],
  });
  const disconnects = new Counter({
    name: "kbalign_nats_disconnects_total",
    help: "Times the NATS connection lost its server.",
    registers: [registry],
  });
  for await (const event of status) {
    if (event.type === "reconnect") reconnects.inc();
    else if (event.type === "disconnect") disconnects.inc();
  }
}
