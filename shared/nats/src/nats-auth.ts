import { readFile } from "node:fs/promises";
import { credsAuthenticator, type ConnectionOptions } from "@nats-io/nats-core";
import { z } from "zod";

/** How a process proves who it is to NATS and checks whom it talks to; every field optional. */
export interface NatsAuthSettings {
  /** A JSON `{"user","password"}` file, a JSON `{"token"}` file, or a NATS `.creds` file (JWT + nkey seed). */
  credentialsFile?: string | undefined;
  /** PEM CA bundle the server's certificate must chain to; setting it requires TLS. */
  tlsCaFile?: string | undefined;
  /** PEM client certificate, for servers that verify clients (`verify: true`); needs tlsKeyFile. */
  tlsCertFile?: string | undefined;
  /** PEM private key of tlsCertFile. */
  tlsKeyFile?: string | undefined;
  /**
   * Prefix of this connection's reply subjects. Default: `_INBOX.<user>` for a user/password
   * file (the subjects that user may subscribe to under kbalign's permissions), else `_INBOX`.
   */
  inboxPrefix?: string | undefined;
}

/** A credentials or TLS setting that cannot work; the message names the file, never its content. */
export class NatsAuthError extends Error {
  override readonly name = "NatsAuthError";
}

/** A user name that can be a subject token (it becomes part of the inbox prefix). */
const SubjectToken = /^[A-Za-z0-9_-]{1,64}$/;

const UserPassword = z.strictObject({ user: z.string().min(1), password: z.string().min(1) });
const Token = z.strictObject({ token: z.string().min(1) });

const CREDS_JWT_MARKER = "-----BEGIN NATS USER JWT-----";
const CREDS_SEED_MARKER = "-----BEGIN USER NKEY SEED-----";

/** What a credentials file holds, as connect options (plus the user name where there is one). */
export interface LoadedCredentials {
  kind: "user-password" | "token" | "creds";
  options: Pick<ConnectionOptions, "user" | "pass" | "token" | "authenticator">;
  user?: string;
}

/** Parses the content of a credentials file; `file` only names it in errors. */
export function parseCredentials(content: string, file: string): LoadedCredentials {
  if (content.includes(CREDS_JWT_MARKER)) {
    if (!content.includes(CREDS_SEED_MARKER)) throw new NatsAuthError(`credentials file ${file}: a .creds file needs both the user JWT and the nkey seed`);
    return { kind: "creds", options: { authenticator: credsAuthenticator(new TextEncoder().encode(content)) } };
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new NatsAuthError(`credentials file ${file} is neither JSON nor a NATS .creds file`);
  }
  const userPassword = UserPassword.safeParse(json);
  if (userPassword.success) {
    return { kind: "user-password", options: { user: userPassword.data.user, pass: userPassword.data.password }, user: userPassword.data.user };
  }
  const token = Token.safeParse(json);
  if (token.success) return { kind: "token", options: { token: token.data.token } };
  throw new NatsAuthError(`credentials file ${file} must hold {"user": "…", "password": "…"} or {"token": "…"} (non-empty strings, nothing else)`);
}

/**
 * Refuses a URL with credentials in it: the nats.js client ignores `user:pass@` and would connect
 * without them, and the URL would carry the secret into logs.
 */
export function assertNoUrlCredentials(url: string): void {
  for (const server of url.split(",").map((s) => s.trim())) {
    if (/^[a-z]+:\/\/[^/]*@/i.test(server)) {
      throw new NatsAuthError("the NATS URL holds credentials (user:password@), which the client would ignore: put them in a credentials file named by KBALIGN_NATS_CREDENTIALS or --credentials FILE");
    }
  }
}

async function readable(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new NatsAuthError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
}

/** The connect options for `settings`: credentials read and checked, TLS files checked readable. */
export async function natsAuthOptions(settings: NatsAuthSettings): Promise<Partial<ConnectionOptions>> {
  const options: Partial<ConnectionOptions> = {};
  let user: string | undefined;
  if (settings.credentialsFile) {
    const loaded = parseCredentials(await readable(settings.credentialsFile, "credentials file"), settings.credentialsFile);
    Object.assign(options, loaded.options);
    user = loaded.user;
  }
  if ((settings.tlsCertFile === undefined) !== (settings.tlsKeyFile === undefined)) {
    throw new NatsAuthError("a TLS client certificate needs its key and the other way round: set both KBALIGN_NATS_TLS_CERT and KBALIGN_NATS_TLS_KEY");
  }
  if (settings.tlsCaFile || settings.tlsCertFile) {
    const tls: NonNullable<ConnectionOptions["tls"]> = {};
    if (settings.tlsCaFile) {
      await readable(settings.tlsCaFile, "TLS CA file");
      tls.caFile = settings.tlsCaFile;
    }
    if (settings.tlsCertFile && settings.tlsKeyFile) {
      await readable(settings.tlsCertFile, "TLS certificate file");
      await readable(settings.tlsKeyFile, "TLS key file");
      tls.certFile = settings.tlsCertFile;
      tls.keyFile = settings.tlsKeyFile;
    }
    options.tls = tls;
  }
  const inboxPrefix = settings.inboxPrefix ?? (user !== undefined && SubjectToken.test(user) ? inboxPrefixOf(user) : undefined);
  if (inboxPrefix !== undefined) options.inboxPrefix = inboxPrefix;
  return options;
}

/** The reply-subject prefix of a user: `_INBOX.<user>`; kbalign's permissions let each user subscribe only under its own. */
export const inboxPrefixOf = (user: string): string => `_INBOX.${user}`;
