import { randomBytes } from "node:crypto";
import { NatsRoles, renderNatsServerConfig, roleUsers, type NatsRole } from "@kbalign/contracts";

/** The Secret nats.conf includes its users from, and its one key. */
export const NATS_AUTH_SECRET = "kbalign-nats-auth";
export const AUTH_CONF_KEY = "auth.conf";
/** The key of every credentials Secret, the file its volume puts at KBALIGN_NATS_CREDENTIALS. */
export const CREDENTIALS_KEY = "credentials.json";
/** The Secret a role's credentials go in: the services mount theirs, other roles hand theirs to people and jobs. */
export const credentialsSecretName = (role: NatsRole): string => `kbalign-nats-credentials-${role}`;

/** What the Secrets of a NATS installation hold: the server's users and each role's credentials file. */
export interface NatsSecrets {
  /** The `authorization` block nats.conf includes (Secret kbalign-nats-auth, key auth.conf). */
  authConf: string;
  /** Each role's `{"user","password"}` file (Secret kbalign-nats-credentials-<role>, key credentials.json). */
  credentials: Record<NatsRole, string>;
}

/** A file to write under the output folder: its path there, and what goes in it. */
export interface NatsSecretFile {
  path: string;
  content: string;
}

export class NatsSecretsError extends Error {
  readonly code = "BAD_NATS_SECRETS";
  constructor(message: string) {
    super(message);
    this.name = "NatsSecretsError";
  }
}

/** A password of 32 random bytes, URL-safe base64 (nothing nats.conf would read as a variable). */
export const newPassword = (): string => randomBytes(32).toString("base64url");

/**
 * Printable ASCII without spaces, quotes or backslashes, at least 12 characters: what survives the
 * quoting of auth.conf and a JSON file unchanged, and is not trivially guessed.
 */
const PASSWORD = /^[!#-[\]-~]{12,}$/;

/**
 * Passwords for every role from a map (e.g. read from a file): any role missing gets a new random
 * one; an unknown role or a password that would not survive the files is refused, naming the role.
 */
export function passwordsFrom(given: Readonly<Record<string, unknown>>, fallback: (role: NatsRole) => string = newPassword): Record<NatsRole, string> {
  const unknown = Object.keys(given).filter((role) => !(NatsRoles as readonly string[]).includes(role));
  if (unknown.length > 0) throw new NatsSecretsError(`unknown NATS role ${unknown.join(", ")} (the roles are ${NatsRoles.join(", ")})`);
  return Object.fromEntries(
    NatsRoles.map((role) => {
      const password = given[role] ?? fallback(role);
      if (typeof password !== "string" || !PASSWORD.test(password)) {
        throw new NatsSecretsError(`password of role ${role}: at least 12 printable ASCII characters without spaces, quotes or backslashes`);
      }
      return [role, password];
    }),
  ) as Record<NatsRole, string>;
}

/**
 * The server's authorization and every role's credentials, rendered from the permission matrix of
 * @kbalign/contracts with the renderer `kbalign up --auth` and the test servers use: one source for
 * who may publish and subscribe where, here and locally.
 */
export function natsSecrets(passwords: Readonly<Record<NatsRole, string>>): NatsSecrets {
  const checked = passwordsFrom(passwords);
  return {
    authConf: renderNatsServerConfig({ users: roleUsers(checked) }),
    credentials: Object.fromEntries(NatsRoles.map((role) => [role, `${JSON.stringify({ user: role, password: checked[role] })}\n`])) as Record<NatsRole, string>,
  };
}

/** The files an operator turns into Secrets: `auth.conf` and `credentials/<role>.json`. */
export const natsSecretFiles = (secrets: NatsSecrets): NatsSecretFile[] => [
  { path: AUTH_CONF_KEY, content: secrets.authConf },
  ...NatsRoles.map((role) => ({ path: `credentials/${role}.json`, content: secrets.credentials[role] })),
];

/** The commands that create the Secrets from those files (the services' roles, and the server's). */
export function kubectlCommands(dir: string, roles: readonly NatsRole[], namespace = "$NS"): string[] {
  return [
    `kubectl -n ${namespace} create secret generic ${NATS_AUTH_SECRET} --from-file=${AUTH_CONF_KEY}=${dir}/${AUTH_CONF_KEY}`,
    ...roles.map((role) => `kubectl -n ${namespace} create secret generic ${credentialsSecretName(role)} --from-file=${CREDENTIALS_KEY}=${dir}/credentials/${role}.json`),
  ];
}
