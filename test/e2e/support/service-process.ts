import type { TestProcess } from "./child-process.js";

/** The environment of a service process started by a test: its NATS, any free ops port, info logs. */
export const serviceEnv = (natsUrl: string, instance: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  NATS_URL: natsUrl,
  KBALIGN_HTTP_PORT: "0",
  // info: the "started" line names the ops port; the shutdown lines explain a failure.
  KBALIGN_LOG_LEVEL: "info",
  KBALIGN_INSTANCE: instance,
  ...extra,
});

/** The ops port a service process serves /metrics /healthz /readyz on, from its "started" log line. */
export async function opsPort(service: TestProcess): Promise<number> {
  const match = await service.waitForStdout(/"httpPort":(\d+)/, 30_000);
  return Number(match[1]);
}

/** The HTTP status of a service's `/readyz` (0 when it cannot be reached). */
export async function readyzStatus(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

