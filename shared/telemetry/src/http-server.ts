import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";

/** How long a request already under way on the ops port may take once the server is closing. */
const OPS_CLOSE_GRACE_MS = 500;

export interface OpsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Liveness: false means "restart me" (e.g. the NATS connection is closed for good). */
  healthy?: () => boolean;
  /** Readiness: false means "send me no traffic yet" (e.g. index not caught up). */
  ready: () => boolean;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus), `/healthz` and `/readyz` for probes and scrapers.
 * `/metrics?name[]=A&name[]=B` renders only the metrics named (classic text format), as exporters'
 * `collect[]` filters do: a load generator sampling CPU and RSS every second then costs the
 * service a few lines instead of the whole registry (about 5 CPU ms a scrape).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const render = createRenderer(options.registry);
  const server: Server = createServer((req, res) => {
    const [path, query] = (req.url ?? "/").split("?", 2);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      // Named metrics come in the classic format; the whole registry in whichever the scraper accepts.
      const names = query === undefined ? [] : new URLSearchParams(query).getAll("name[]");
      const contentType = names.length === 0 && wantsOpenMetrics(req.headers.accept) ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
      render(contentType, names.length === 0 ? undefined : names).then(
        (text) => res.writeHead(200, { "content-type": contentType }).end(text),
        (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(err)}\n`),
      );
      return;
    }
    if (path === "/healthz" || path === "/readyz") {
      const ok = path === "/healthz" ? (options.healthy?.() ?? true) : options.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok\n" : "not ready\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    // On shutdown, readiness is already off and the work done: no response here is worth waiting
    // for. close() alone can wait for a client's keep-alive connection (a readiness probe, a
    // scraper) well past the shutdown's hard deadline (seen in test/e2e/shutdown.test.ts): idle
    // connections are closed at once, and any still open after OPS_CLOSE_GRACE_MS are cut.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), OPS_CLOSE_GRACE_MS).unref();
      }),
  };
}

/**
 * True when an Accept header takes OpenMetrics (as Prometheus' does by default), the only format
 * that carries exemplars; anything else (curl, no header) gets the classic text format.
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((range) => {
    const [type, ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== "application/openmetrics-text") return false;
    const q = params.find((param) => param.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

type ContentType = typeof Registry.PROMETHEUS_CONTENT_TYPE | typeof Registry.OPENMETRICS_CONTENT_TYPE;

/**
 * Renders one registry in either format. prom-client formats by the registry's content type, and
 * its OpenMetrics rendering strips `_total` from every counter's name for good (so a later classic
 * scrape would lose it): each render sets the type, puts the names back afterwards, and waits for
 * the previous render, so two scrapes at once cannot see each other's settings.
 */
function createRenderer(registry: Registry): (contentType: ContentType, names?: readonly string[]) => Promise<string> {
  const anyType = registry as unknown as Registry<ContentType>;
  let previous: Promise<unknown> = Promise.resolve();
  // Only the metrics named (those the registry holds), or all of them.
  const renderMetrics = async (names: readonly string[] | undefined): Promise<string> => {
    if (names === undefined) return anyType.metrics();
    // In the order asked: a metric's collect may update others (prom-client's CPU user counter
    // also sets process_cpu_seconds_total), so a scraper names it first.
    let text = "";
    for (const name of names) if (anyType.getSingleMetric(name) !== undefined) text += `${await anyType.getSingleMetricAsString(name)}\n`;
    return text;
  };
  return (contentType, only) => {
    const rendering = previous.then(async () => {
      const original = anyType.contentType;
      const names = anyType.getMetricsAsArray().map((metric) => [metric, (metric as unknown as { name: string }).name] as const);
      anyType.setContentType(contentType);
      try {
        return await renderMetrics(only);
      } finally {
        anyType.setContentType(original);
        for (const [metric, name] of names) (metric as unknown as { name: string }).name = name;
      }
    });
    // The next render only waits for this one; its failure is the caller's (a 500), not the next's.
    previous = rendering.catch(() => undefined);
    return rendering;
  };
}
