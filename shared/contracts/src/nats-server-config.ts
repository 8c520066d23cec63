import { permissionsOf, NatsRoles, type NatsRole, type RolePermissions } from "./v1/permissions.js";

/** One user of a nats-server `authorization` block; no permissions means every subject. */
export interface NatsServerUser {
  user: string;
  password: string;
  permissions?: RolePermissions;
}

/** The parts of a nats-server configuration file kbalign writes; each launcher passes what it uses. */
export interface NatsServerConfig {
  /** `max_payload` in bytes (the server's default is 1 MiB). */
  maxPayloadBytes?: number;
  /** Users with passwords and permissions; none leaves the server open. */
  users?: readonly NatsServerUser[];
  /** TLS on the client port: the server's certificate and key, and with `verify` the CA client certificates must chain to. */
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
  /** A WebSocket listener, plain ws:// (k6 and browsers speak NATS over it): `host:port`. */
  websocket?: string;
  /** HTTP monitoring (/varz /connz /subsz /jsz): `host:port`. */
  monitoring?: string;
}

/**
 * How long a responder may keep answering one request, and how often: the longest a query may run
 * (its `timeoutMs` is at most 5 minutes) with a margin, and no count limit, since the answer streams.
 */
const RESPONSE_WINDOW = "6m";

/** nats-server configuration syntax: a double-quoted string (`$` unquoted would mean a variable). */
const quote = (value: string): string => JSON.stringify(value);
const list = (values: readonly string[]): string => `[${values.map(quote).join(", ")}]`;

/** An empty allow list would mean "no restriction" to the server: nothing allowed is a deny-all. */
const rule = (allow: readonly string[]): string => (allow.length === 0 ? `{ deny: [">"] }` : `{ allow: ${list(allow)} }`);

function renderUser(user: NatsServerUser): string {
  const fields = [`user: ${quote(user.user)}`, `password: ${quote(user.password)}`];
  if (user.permissions) {
    const { publish, subscribe, allowResponses } = user.permissions;
    const permissions = [`publish: ${rule(publish)}`, `subscribe: ${rule(subscribe)}`];
    if (allowResponses) permissions.push(`allow_responses: { max: -1, expires: ${quote(RESPONSE_WINDOW)} }`);
    fields.push(`permissions: { ${permissions.join(", ")} }`);
  }
  return `    { ${fields.join(", ")} }`;
}

/**
 * Renders a nats-server configuration file. The one place both the local stack and the test
 * servers build theirs; command-line flags (port, JetStream, store) still win over it.
 */
export function renderNatsServerConfig(config: NatsServerConfig): string {
  const lines: string[] = [];
  if (config.maxPayloadBytes !== undefined) lines.push(`max_payload: ${config.maxPayloadBytes}`);
  if (config.tls) {
    const { certFile, keyFile, caFile, verify } = config.tls;
    const fields = [`cert_file: ${quote(certFile)}`, `key_file: ${quote(keyFile)}`];
    if (caFile !== undefined) fields.push(`ca_file: ${quote(caFile)}`);
    if (verify) fields.push("verify: true");
    lines.push(`tls: { ${fields.join(", ")} }`);
  }
  // nats-server has no command-line flag for a WebSocket listener. Plain ws:// is meant for the
  // loopback or behind a TLS-terminating proxy.
  if (config.websocket !== undefined) lines.push(`websocket: { listen: ${quote(config.websocket)}, no_tls: true }`);
  if (config.monitoring !== undefined) lines.push(`http: ${quote(config.monitoring)}`);
  if (config.users && config.users.length > 0) {
    lines.push("authorization: {", "  users: [", ...config.users.map(renderUser), "  ]", "}");
  }
  return `${lines.join("\n")}\n`;
}

/** The kbalign role users with the given passwords, each with its permissions from the matrix. */
export const roleUsers = (passwords: Readonly<Record<NatsRole, string>>): NatsServerUser[] =>
  NatsRoles.map((role) => ({ user: role, password: passwords[role], permissions: permissionsOf(role) }));
