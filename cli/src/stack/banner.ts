export interface BannerInfo {
  natsUrl: string;
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
  const width = Math.max(...info.opsPorts.map((o) => o.name.length), (info.credentialsDir ? "credentials" : "prometheus").length) + 2;
  const row = (label: string, value: string) => `  ${label.padEnd(width)}${value}`;
  return [
    "",
    "kbalign is up",
    row("NATS", info.natsUrl),
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
