import { freePort, isPortFree } from "@kbalign/net";

/**
 * The listeners `kbalign up` adds to nats-server beside its client port: WebSocket (k6 and
 * browsers speak NATS over it) and HTTP monitoring (/varz, /connz…: `kbalign bench --nats-monitor`
 * reads its CPU and memory there). Both go into nats-server's configuration file
 * (renderNatsServerConfig's `websocket` and `monitoring`): it has no command-line flag for `websocket {}`.
 */
export interface NatsListeners {
  host: string;
  websocketPort: number;
  monitorPort: number;
}

/** `wanted`, or the next free port above it when taken; 0 means any free port. Skips `avoid`. */
export async function chooseListenerPort(wanted: number, avoid: readonly number[]): Promise<number> {
  if (wanted === 0) {
    for (;;) {
      const port = await freePort();
      if (!avoid.includes(port)) return port;
    }
  }
  for (let port = wanted; port <= 65_535; port++) {
    if (!avoid.includes(port) && (await isPortFree(port))) return port;
  }
  throw new Error(`no free port from ${wanted} up`);
}

/** Where clients reach the listeners, for the banner. */
export const websocketUrl = (l: NatsListeners): string => `ws://${l.host}:${l.websocketPort}`;
export const monitorUrl = (l: NatsListeners): string => `http://${l.host}:${l.monitorPort}`;
