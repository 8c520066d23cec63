import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAllowed, NatsRoles, permissionsOf, type NatsRole } from "@kbalign/contracts";
import { connectNats, NatsAuthError, parseCredentials } from "@kbalign/nats";
import { freePort, waitForPort } from "@kbalign/net";
import { natsCredentialsSource } from "./credentials-mount.js";
import { natsSecretsCommand } from "./nats-secrets-command.js";
import { AUTH_CONF_KEY, CREDENTIALS_KEY, credentialsSecretName, NATS_AUTH_SECRET, natsSecrets, passwordsFrom } from "./nats-secrets.js";
import { OVERLAYS, SERVICES } from "./paths.js";
import type { PodTemplate } from "./pod-templates.js";
import { find, rendered } from "./renders.js";

const NATS_SERVER = process.env.KBALIGN_NATS_SERVER ?? "nats-server";
const placeholder = (role: NatsRole): string => `placeholder-${role}-password`;

const workdir = mkdtempSync(join(tmpdir(), "kbalign-nats-secrets-"));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe("natsSecrets", () => {
  const secrets = natsSecrets(passwordsFrom({}, placeholder));

  it("gives every role of the matrix a user in auth.conf, with the permissions the matrix grants it", () => {
    const users = [...secrets.authConf.matchAll(/\{ user: "([^"]+)", password: "([^"]+)", permissions: \{ publish: (.*?), subscribe: /g)];
    expect(users.map((match) => match[1])).toEqual([...NatsRoles]);
    for (const [, role, password, publish] of users) {
      expect(password).toBe(placeholder(role as NatsRole));
      const allowed = permissionsOf(role as NatsRole).publish;
      expect(publish, role).toBe(allowed.length === 0 ? `{ deny: [">"] }` : `{ allow: ${JSON.stringify(allowed).replaceAll(",", ", ")} }`);
    }
    expect(secrets.authConf.startsWith("authorization: {")).toBe(true);
  });

  it("writes each role's credentials in the form the services read, with the password auth.conf holds", () => {
    for (const role of NatsRoles) {
      expect(parseCredentials(secrets.credentials[role], `${role}.json`)).toMatchObject({ kind: "user-password", user: role, options: { pass: placeholder(role) } });
    }
  });

  it("fills in random passwords for the roles not given, different for every role and every run", () => {
    const first = passwordsFrom({ client: "given-client-password" });
    const second = passwordsFrom({});
    expect(first.client).toBe("given-client-password");
    expect(new Set([...Object.values(first), ...Object.values(second)]).size).toBe(NatsRoles.length * 2);
    expect(first.operator).toMatch(/^[\w-]{43}$/);
  });

  it("refuses an unknown role and a password that would not survive the files, naming the role", () => {
    expect(() => passwordsFrom({ admin: "long-enough-password" })).toThrow("unknown NATS role admin (the roles are client, orchestrator");
    expect(() => passwordsFrom({ ingest: 'has"quote-in-it' })).toThrow("password of role ingest");
    expect(() => passwordsFrom({ operator: "short" })).toThrow("password of role operator");
    expect(() => passwordsFrom({ retriever: 42 })).toThrow("password of role retriever");
  });
});

describe("the generated Secrets against a real nats-server", () => {
  const dir = join(workdir, "login");
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    natsSecretsCommand(["--out", dir], { password: placeholder });
    const port = await freePort();
    // auth.conf included as nats.conf includes it in the cluster; listener and nothing else besides.
    writeFileSync(join(dir, "server.conf"), `include ./${AUTH_CONF_KEY}\n`);
    server = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-c", join(dir, "server.conf")], { stdio: "ignore" });
    await waitForPort(port, 10_000);
    url = `nats://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server?.kill();
  });

  it.each([...NatsRoles])("lets the %s log in with its credentials file, with its permissions", async (role) => {
    const nc = await connectNats({ url, name: `check-${role}`, connectTimeoutMs: 5_000, auth: { credentialsFile: join(dir, "credentials", `${role}.json`) } });
    try {
      const denied = new Promise<string>((resolve) => {
        void (async () => {
          for await (const status of nc.status()) if (status.type === "error") resolve(String(status.error));
        })();
      });
      expect(isAllowed(role, "publish", "kbalign.v1.query")).toBe(role === "client");
      if (role !== "client") {
        nc.publish("kbalign.v1.query", "{}");
        await nc.flush();
        expect(await denied).toMatch(/permissions violation.*kbalign\.v1\.query/i);
      }
    } finally {
      await nc.close();
    }
  });

  it("refuses a wrong password", async () => {
    const wrong = join(dir, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ user: "client", password: "not-the-password" }));
    await expect(connectNats({ url, name: "check-wrong", connectTimeoutMs: 5_000, auth: { credentialsFile: wrong } })).rejects.toThrow(NatsAuthError);
  });
});

describe("npm run nats-secrets", () => {
  it("writes auth.conf and every role's credentials, readable by the owner only, and names the Secrets to create", () => {
    const out = join(workdir, "command");
    const { written, commands } = natsSecretsCommand(["--out", "command"], { cwd: workdir });
    expect(written).toEqual([join(out, "auth.conf"), ...NatsRoles.map((role) => join(out, "credentials", `${role}.json`))]);
    for (const file of written) expect(statSync(file).mode & 0o777, file).toBe(0o600);
    expect(commands).toEqual([
      `kubectl -n $NS create secret generic kbalign-nats-auth --from-file=auth.conf=${out}/auth.conf`,
      ...SERVICES.map((s) => `kubectl -n $NS create secret generic kbalign-nats-credentials-${s} --from-file=credentials.json=${out}/credentials/${s}.json`),
    ]);
  });

  it("takes passwords from a file, and the others at random", () => {
    const passwords = join(workdir, "passwords.json");
    writeFileSync(passwords, JSON.stringify({ orchestrator: "orchestrator-from-a-vault" }));
    const { written } = natsSecretsCommand(["--out", "from-file", "--passwords", "passwords.json"], { cwd: workdir });
    expect(JSON.parse(readFileSync(written.find((file) => file.endsWith("orchestrator.json"))!, "utf8"))).toEqual({ user: "orchestrator", password: "orchestrator-from-a-vault" });
    expect(readFileSync(written[0]!, "utf8")).toContain(`{ user: "orchestrator", password: "orchestrator-from-a-vault",`);
  });

  it("refuses to overwrite, to run without --out, and a passwords file that is not a role map", () => {
    natsSecretsCommand(["--out", "twice"], { cwd: workdir });
    expect(() => natsSecretsCommand(["--out", "twice"], { cwd: workdir })).toThrow(`refusing to overwrite ${join(workdir, "twice", "auth.conf")}`);
    expect(() => natsSecretsCommand([], { cwd: workdir })).toThrow("--out DIR is required");
    expect(() => natsSecretsCommand(["--out", "x", "--force"], { cwd: workdir })).toThrow("usage: npm run nats-secrets");
    writeFileSync(join(workdir, "list.json"), "[]");
    expect(() => natsSecretsCommand(["--out", "y", "--passwords", "list.json"], { cwd: workdir })).toThrow("must be a JSON object");
    expect(() => natsSecretsCommand(["--out", "y", "--passwords", "missing.json"], { cwd: workdir })).toThrow("cannot read --passwords");
  });
});

describe.each(["base", ...OVERLAYS] as const)("the credentials Secrets in %s", (overlay) => {
  it.each(SERVICES)("the %s's Deployment mounts its role's Secret at KBALIGN_NATS_CREDENTIALS", (service) => {
    const role: NatsRole = service;
    const { template } = find(rendered(overlay), "Deployment", `kbalign-${service}`).spec as { template: PodTemplate };
    expect(natsCredentialsSource(template)).toEqual({ secretName: credentialsSecretName(role), key: CREDENTIALS_KEY });
  });

  it("has NATS include auth.conf from the Secret the command's first kubectl line creates", () => {
    const set = find(rendered(overlay), "StatefulSet", "kbalign-nats").spec as { template: { spec: { volumes: Array<{ projected?: { sources: Array<{ secret?: { name: string; items: Array<{ key: string }> } }> } }> } } };
    const secrets = set.template.spec.volumes.flatMap((volume) => volume.projected?.sources ?? []).flatMap((source) => (source.secret ? [source.secret] : []));
    expect(secrets.map((secret) => [secret.name, secret.items.map((item) => item.key)])).toEqual([[NATS_AUTH_SECRET, [AUTH_CONF_KEY]]]);
  });
});

describe("natsCredentialsSource", () => {
  const template = (): PodTemplate => structuredClone((find(rendered("base"), "Deployment", "kbalign-retriever").spec as { template: PodTemplate }).template);

  it("names the broken link when the path, the mount or the item do not line up", () => {
    const moved = template();
    moved.spec.containers[0]!.env!.find((env) => env.name === "KBALIGN_NATS_CREDENTIALS")!.value = "/etc/kbalign/credentials.json";
    expect(() => natsCredentialsSource(moved)).toThrow("no volume mounted over /etc/kbalign/credentials.json");
    const renamed = template();
    renamed.spec.containers[0]!.env!.find((env) => env.name === "KBALIGN_NATS_CREDENTIALS")!.value = "/var/run/secrets/kbalign/nats/creds.json";
    expect(() => natsCredentialsSource(renamed)).toThrow("Secret kbalign-nats-credentials-retriever puts no item at creds.json");
    const other = template();
    other.spec.volumes!.find((volume) => volume.name === "nats-credentials")!.secret!.secretName = "kbalign-nats-credentials-generator";
    expect(natsCredentialsSource(other).secretName).not.toBe(credentialsSecretName("retriever"));
  });
});
