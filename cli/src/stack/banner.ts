import { monitorUrl, websocketUrl, type NatsListeners } from "./nats-listeners.js";

export interface BannerInfo {
  natsUrl: string;
  /** nats-server's WebSocket and monitoring listeners, when it has them. */
  listeners?: NatsListeners;
  /** Each service's ops HTTP port (/metrics /healthz /readyz). */
  opsPorts: Array<{ name: string; port: number }>;
  logsDir: string;
  dataDir: string;
  /** Prometheus' UI when `kbalign up` started one. */
  prometheusUrl?: string;
  /** Where `kbalign up --auth` wrote each role's credentials. */
  credentialsDir?: string;
}

/** The first thing a user reads once the stack is up: where it is, and what to type next. */
export function formatBanner(info: BannerInfo): string {
  const nats = info.natsUrl === "nats://127.0.0.1:4222" ? "" : ` --nats ${info.natsUrl}`;
  const width = Math.max(...info.opsPorts.map((o) => o.name.length), "prometheus".length, "NATS (http)".length, info.credentialsDir ? "credentials".length : 0) + 2;
  const row = (label: string, value: string) => `  ${label.padEnd(width)}${value}`;
  return [
    "",
    "kbalign is up",
    row("NATS", info.natsUrl),
    ...(info.listeners
      ? [row("NATS (ws)", `${websocketUrl(info.listeners)}  (k6: see k6/README.md)`), row("NATS (http)", `${monitorUrl(info.listeners)}/varz  /connz  /jsz`)]
      : []),
    ...info.opsPorts.map((o) => row(o.name, `http://127.0.0.1:${o.port}/metrics  /healthz  /readyz`)),
    ...(info.prometheusUrl ? [row("prometheus", `${info.prometheusUrl}/graph  /targets  /alerts`)] : []),
    row("data", info.dataDir),
    row("logs", info.logsDir),
    ...(info.credentialsDir ? [row("credentials", `${info.credentialsDir}/<role>.json (mode 0600)`)] : []),
    row("ingest", `kbalign ingest ./docs --collection docs${nats}${info.credentialsDir ? ` --credentials ${info.credentialsDir}/ingest.json` : ""}`),
    row("ask", `kbalign ask "your question" --collection docs${nats}${info.credentialsDir ? ` --credentials ${info.credentialsDir}/client.json` : ""}`),
    row("stop", "Ctrl-C"),
    "",
  ].join("\n");
}
