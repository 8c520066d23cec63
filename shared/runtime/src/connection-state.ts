import type { NatsConnection } from "@kbalign/nats";

export interface ConnectionState {
  /** False from the moment the connection loses its server until it is back (and once closed). */
  connected(): boolean;
}

/**
 * Follows a NATS connection's status events. A replica whose connection is down cannot take or
 * answer work, so its readiness must say so (the probe then takes it out of the load balancer's
 * rotation; the process itself stays alive, reconnecting by itself).
 */
export function watchConnection(nc: NatsConnection): ConnectionState {
  let up = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") up = false;
      else if (status.type === "reconnect") up = true;
    }
  })().catch(() => undefined);
  return { connected: () => up && !nc.isClosed() };
}
