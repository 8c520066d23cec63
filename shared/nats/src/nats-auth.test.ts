import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertNoUrlCredentials, NatsAuthError, natsAuthOptions, parseCredentials } from "./nats-auth.js";

const CREDS = `-----BEGIN NATS USER JWT-----
eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig
------END NATS USER JWT------

-----BEGIN USER NKEY SEED-----
SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4
------END USER NKEY SEED------
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kbalign-auth-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseCredentials", () => {
  it("reads a user and password", () => {
    expect(parseCredentials(JSON.stringify({ user: "client", password: "s3cret" }), "f")).toEqual({
      kind: "user-password",
      options: { user: "client", pass: "s3cret" },
      user: "client",
    });
  });

  it("reads a token", () => {
    expect(parseCredentials(JSON.stringify({ token: "t0k" }), "f")).toEqual({ kind: "token", options: { token: "t0k" } });
  });

  it("reads a .creds file as an authenticator", () => {
    const loaded = parseCredentials(CREDS, "f");
    expect(loaded.kind).toBe("creds");
    expect(typeof loaded.options.authenticator).toBe("function");
  });

  it.each([
    ["not JSON", "user=client", /neither JSON nor a NATS .creds file/],
    ["a missing password", JSON.stringify({ user: "client" }), /must hold/],
    ["an extra field", JSON.stringify({ user: "client", password: "p", admin: true }), /must hold/],
    ["an empty token", JSON.stringify({ token: "" }), /must hold/],
    ["a .creds file with no seed", CREDS.split("\n\n")[0]!, /needs both/],
  ])("refuses %s, naming the file but never its content", (_what, content, message) => {
    const error = (() => {
      try {
        parseCredentials(content, "/etc/kbalign/creds.json");
      } catch (err) {
        return err as Error;
      }
    })();
    expect(error).toBeInstanceOf(NatsAuthError);
    expect(error!.message).toMatch(message);
    expect(error!.message).toContain("/etc/kbalign/creds.json");
    expect(error!.message).not.toContain("p\"");
    expect(error!.message).not.toContain("SUAIB");
  });
});

describe("assertNoUrlCredentials", () => {
  it("refuses user:password@ in any of the URLs, without repeating it", () => {
    expect(() => assertNoUrlCredentials("nats://a:4222,nats://u:hunter2@b:4222")).toThrow(NatsAuthError);
    try {
      assertNoUrlCredentials("nats://u:hunter2@b:4222");
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
    }
    expect(() => assertNoUrlCredentials("tls://token@b:4222")).toThrow(/KBALIGN_NATS_CREDENTIALS/);
  });

  it("accepts URLs with none", () => {
    expect(() => assertNoUrlCredentials("nats://127.0.0.1:4222, tls://nats.example:4443")).not.toThrow();
  });
});

describe("natsAuthOptions", () => {
  it("gives a password user the inbox prefix its permissions allow", async () => {
    const file = join(dir, "client.json");
    await writeFile(file, JSON.stringify({ user: "client", password: "p" }));
    expect(await natsAuthOptions({ credentialsFile: file })).toEqual({ user: "client", pass: "p", inboxPrefix: "_INBOX.client" });
    expect(await natsAuthOptions({ credentialsFile: file, inboxPrefix: "_INBOX.app7" })).toMatchObject({ inboxPrefix: "_INBOX.app7" });
  });

  it("sets nothing without settings", async () => {
    expect(await natsAuthOptions({})).toEqual({});
  });

  it("passes readable TLS files, refuses unreadable ones and a certificate without its key", async () => {
    const ca = join(dir, "ca.pem");
    await writeFile(ca, "-----BEGIN CERTIFICATE-----\n");
    expect(await natsAuthOptions({ tlsCaFile: ca })).toEqual({ tls: { caFile: ca } });
    await expect(natsAuthOptions({ tlsCaFile: join(dir, "missing.pem") })).rejects.toThrow(/cannot read TLS CA file .*missing\.pem: ENOENT/);
    await expect(natsAuthOptions({ tlsCertFile: ca })).rejects.toThrow(/KBALIGN_NATS_TLS_KEY/);
  });

  it("refuses a credentials file that cannot be read", async () => {
    await expect(natsAuthOptions({ credentialsFile: join(dir, "nope.json") })).rejects.toThrow(/cannot read credentials file .*nope\.json: ENOENT/);
  });
});
