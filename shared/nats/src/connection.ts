import { connect } from "@nats-io/transport-node";
import { UnavailableError } from "@kbalign/contracts";
import { errors, type NatsConnection } from "@nats-io/nats-core";
import type { Log } from "./log.js";
import { assertNoUrlCredentials, NatsAuthError, natsAuthOptions, type NatsAuthSettings } from "./nats-auth.js";
import { coalesceWrites } from "./write-coalescing.js";

export interface ConnectOptions {
  /** One URL or a comma-separated list. */
  url: string;
  /** Client name, shown by `nats server report connections`. */
  name: string;
  log?: Log;
  /** Give up connecting at start-up after this long (default 30 s): then UnavailableError. */
  connectTimeoutMs?: number;
  /** Credentials file, TLS files and inbox prefix (see NatsAuthSettings); none by default. */
  auth?: NatsAuthSettings;
}

const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * Connects with settings fit for a long-running service: reconnect forever (the default gives up
 * after ~20 s and closes the connection for good), notice a dead link within ~20 s, and skip the
 * per-request stack capture (`noAsyncTraces`) that costs a quarter of client CPU under load, and
 * write what one event-loop turn publishes in one socket write (see coalesceWrites).
 */
export async function connectNats(options: ConnectOptions): Promise<NatsConnection> {
  const budgetMs = options.connectTimeoutMs ?? 30_000;
  const giveUpAt = Date.now() + budgetMs;
  assertNoUrlCredentials(options.url);
  const servers = options.url.split(",").map((s) => s.trim());
  const authOptions = await natsAuthOptions(options.auth ?? {});
  // The first connection is retried here, with a budget, rather than with `waitOnFirstConnect`,
  // which combined with endless reconnects would wait forever for a server that never comes.
  let nc: NatsConnection | undefined;
  for (let delay = FIRST_RETRY_DELAY_MS; nc === undefined; delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
    try {
      nc = await connect({
        ...authOptions,
        servers,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 10_000,
        maxPingOut: 2,
        noAsyncTraces: true,
        timeout: Math.max(1, Math.min(5_000, giveUpAt - Date.now())),
      });
    } catch (err) {
      // Wrong credentials stay wrong: say so at once rather than retrying for the whole budget.
      if (err instanceof errors.AuthorizationError || err instanceof errors.UserAuthenticationExpiredError) {
        throw new NatsAuthError(
          `NATS at ${options.url} refused the credentials${options.auth?.credentialsFile ? ` of ${options.auth.credentialsFile}` : " (none were given: set KBALIGN_NATS_CREDENTIALS or --credentials FILE)"}`,
          { cause: err },
        );
      }
      if (Date.now() + delay >= giveUpAt) {
        throw new UnavailableError(`cannot connect to NATS at ${options.url} within ${budgetMs} ms`, { cause: err });
      }
      options.log?.warn({ err, url: options.url, retryInMs: delay }, "nats not reachable yet");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  const log = options.log;
  if (!coalesceWrites(nc)) log?.warn({}, "nats client internals changed: socket writes are not coalesced per event-loop turn");
  if (log) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
          log.warn({ nats: { status: status.type, server: "server" in status ? status.server : undefined } }, "nats connection status");
        }
      }
    })();
  }
  return nc;
}
