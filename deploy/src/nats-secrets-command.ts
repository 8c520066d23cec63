// `npm run nats-secrets -w deploy -- --out DIR [--passwords FILE]`: writes auth.conf and every
// role's credentials file, rendered from the permission matrix, for `kubectl create secret generic
// ... --from-file` (docs/deploy.md, "Secrets").
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { NatsRole } from "@kbalign/contracts";
import { kubectlCommands, natsSecretFiles, natsSecrets, NatsSecretsError, newPassword, passwordsFrom } from "./nats-secrets.js";
import { SERVICES } from "./paths.js";

export const USAGE = "usage: npm run nats-secrets -w deploy -- --out DIR [--passwords FILE]";

export interface NatsSecretsResult {
  /** Absolute paths of the files written. */
  written: string[];
  /** The kubectl commands that turn them into the Secrets the manifests use. */
  commands: string[];
}

function readPasswords(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new NatsSecretsError(`cannot read --passwords ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new NatsSecretsError(`--passwords ${file} is not JSON (expected {"<role>": "<password>", ...})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new NatsSecretsError(`--passwords ${file} must be a JSON object {"<role>": "<password>", ...}`);
  return json as Record<string, unknown>;
}

/**
 * Renders and writes the files (mode 0600, in a folder of mode 0700). Refuses to overwrite: writing
 * over a deployed auth.conf or credentials file would change passwords without anyone meaning to.
 */
export function natsSecretsCommand(args: readonly string[], options: { cwd?: string; password?: (role: NatsRole) => string } = {}): NatsSecretsResult {
  let values: { out?: string; passwords?: string };
  try {
    ({ values } = parseArgs({ args: [...args], options: { out: { type: "string" }, passwords: { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new NatsSecretsError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.out) throw new NatsSecretsError(`--out DIR is required\n${USAGE}`);
  const cwd = options.cwd ?? process.cwd();
  const out = resolve(cwd, values.out);
  const given = values.passwords === undefined ? {} : readPasswords(resolve(cwd, values.passwords));
  const secrets = natsSecrets(passwordsFrom(given, options.password ?? newPassword));
  const files = natsSecretFiles(secrets).map((file) => ({ ...file, path: join(out, file.path) }));
  const existing = files.filter((file) => existsSync(file.path)).map((file) => file.path);
  if (existing.length > 0) throw new NatsSecretsError(`refusing to overwrite ${existing.join(", ")} (choose an empty --out folder)`);
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true, mode: 0o700 });
    writeFileSync(file.path, file.content, { mode: 0o600, flag: "wx" });
  }
  return { written: files.map((file) => file.path), commands: kubectlCommands(out, SERVICES) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    // npm runs workspace scripts in deploy/: paths are the caller's, from where npm was started.
    const { written, commands } = natsSecretsCommand(process.argv.slice(2), { cwd: process.env.INIT_CWD ?? process.cwd() });
    for (const path of written) console.log(`wrote ${path}`);
    console.log(`\nCreate the Secrets the manifests use (NS=your namespace):\n${commands.join("\n")}`);
    console.log("Hand credentials/client.json, ingest.json and operator.json to the people and jobs of those roles.");
  } catch (error) {
    if (!(error instanceof NatsSecretsError)) throw error;
    console.error(`nats-secrets: ${error.message}`);
    process.exitCode = 2;
  }
}
