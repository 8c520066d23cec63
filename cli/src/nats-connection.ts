import { UnavailableError } from "@kbalign/contracts";
import { connectNats, NatsAuthError, type NatsAuthSettings, type NatsConnection } from "@kbalign/nats";
import { CliError } from "./errors.js";

/** How long a command waits for NATS before it gives up with a clear message. */
const CONNECT_TIMEOUT_MS = 3_000;

/** Connects a CLI command to NATS, failing within seconds with an actionable message. */
export async function connectCli(url: string, name: string, auth: NatsAuthSettings = {}): Promise<NatsConnection> {
  try {
    return await connectNats({ url, name, connectTimeoutMs: CONNECT_TIMEOUT_MS, auth });
  } catch (err) {
    if (err instanceof NatsAuthError) throw new CliError(err.message);
    if (!(err instanceof UnavailableError)) throw err;
    throw new CliError(
      `cannot reach NATS at ${url} within ${CONNECT_TIMEOUT_MS / 1000} s. Is it running? Start a local stack with \`kbalign up\`, or pass --nats URL / set NATS_URL.`,
    );
  }
}
