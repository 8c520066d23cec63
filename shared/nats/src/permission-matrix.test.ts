import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors, type NatsConnection, type Status } from "@nats-io/nats-core";
import { isAllowed, NatsRoles, PermissionMatrix, roleUsers, type NatsRole } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";
import { NatsAuthError } from "./nats-auth.js";

// Every cell of the permission matrix, proved against a real nats-server: for each rule's example
// subject, each role either publishes it (an unrestricted observer receives the message) or gets a
// "Permissions Violation for Publish", and either subscribes to it (receives what the observer
// publishes) or gets a "Permissions Violation for Subscription". Both outcomes are events the
// server sends, so no assertion waits for something not to happen.

const OBSERVER = "observer";
const passwords = Object.fromEntries(NatsRoles.map((role) => [role, randomBytes(18).toString("base64url")])) as Record<NatsRole, string>;

let server: TestNatsServer;
let dir: string;
let observer: NatsConnection;
const connections = new Map<NatsRole, NatsConnection>();

const credentialsFile = async (user: string, password: string): Promise<string> => {
  const file = join(dir, `${user}.json`);
  await writeFile(file, JSON.stringify({ user, password }), { mode: 0o600 });
  return file;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kbalign-perm-"));
  const observerPassword = randomBytes(18).toString("base64url");
  // No JetStream: the $JS subjects are then plain subjects, and publishing to them changes nothing.
  server = await startNatsServer({ jetstream: false, users: [...roleUsers(passwords), { user: OBSERVER, password: observerPassword }] });
  observer = await connectNats({ url: server.url, name: OBSERVER, auth: { credentialsFile: await credentialsFile(OBSERVER, observerPassword) } });
  for (const role of NatsRoles) {
    connections.set(role, await connectNats({ url: server.url, name: role, auth: { credentialsFile: await credentialsFile(role, passwords[role]) } }));
  }
});

afterAll(async () => {
  await Promise.all([...connections.values(), observer].map((nc) => nc?.close()));
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the first permission violation the server reports on `nc` for `subject`. */
function violation(nc: NatsConnection, operation: "publish" | "subscription", subject: string): Promise<void> {
  return (async () => {
    for await (const status of nc.status() as AsyncIterable<Status>) {
      if (status.type !== "error") continue;
      const err = status.error;
      if (err instanceof errors.PermissionViolationError && err.operation === operation && err.subject === subject) return;
    }
  })();
}

const cells = PermissionMatrix.flatMap((rule) =>
  NatsRoles.flatMap((role) =>
    (["publish", "subscribe"] as const).map((op) => ({ role, op, subject: rule.example, allowed: isAllowed(role, op, rule.example), purpose: rule.purpose })),
  ),
);

describe("the permission matrix on a real nats-server", () => {
  it("has rows that allow and rows that deny for every role", () => {
    for (const role of NatsRoles) {
      expect(cells.some((c) => c.role === role && c.allowed)).toBe(true);
      expect(cells.some((c) => c.role === role && !c.allowed)).toBe(true);
    }
  });

  it.each(cells)("$role $op $subject: allowed=$allowed ($purpose)", async ({ role, op, subject, allowed }) => {
    const nc = connections.get(role)!;
    const payload = randomBytes(8).toString("hex");
    if (op === "publish") {
      const sub = observer.subscribe(subject);
      await observer.flush();
      const received = (async () => {
        for await (const msg of sub) if (msg.string() === payload) return "received" as const;
        return "closed" as const;
      })();
      if (allowed) {
        nc.publish(subject, payload);
        expect(await received).toBe("received");
      } else {
        const denied = violation(nc, "publish", subject);
        nc.publish(subject, payload);
        await denied;
      }
      sub.unsubscribe();
    } else {
      if (allowed) {
        const sub = nc.subscribe(subject, { max: 1 });
        await nc.flush();
        const received = (async () => {
          for await (const msg of sub) return msg.string();
          return undefined;
        })();
        observer.publish(subject, payload);
        expect(await received).toBe(payload);
      } else {
        const denied = violation(nc, "subscription", subject);
        const sub = nc.subscribe(subject);
        await denied;
        // The client closes the refused subscription with the violation as its reason.
        expect(await sub.closed).toBeInstanceOf(errors.PermissionViolationError);
      }
    }
  });

  it("lets a responder stream many replies to one request, as the orchestrator's events need", async () => {
    const orchestrator = connections.get("orchestrator")!;
    const client = connections.get("client")!;
    const sub = orchestrator.subscribe("kbalign.v1.query", { max: 1 });
    void (async () => {
      for await (const msg of sub) for (let i = 0; i < 50; i++) msg.respond(String(i));
    })();
    await orchestrator.flush();
    const inbox = `_INBOX.client.${randomBytes(6).toString("hex")}`;
    const replies = client.subscribe(inbox, { max: 50 });
    await client.flush();
    client.publish("kbalign.v1.query", "{}", { reply: inbox });
    const got: string[] = [];
    for await (const msg of replies) got.push(msg.string());
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it("gives a client's requests an inbox under its own prefix, so request() works with no setup", async () => {
    const orchestrator = connections.get("orchestrator")!;
    const sub = orchestrator.subscribe("kbalign.v1.cancel", { max: 1 });
    void (async () => {
      for await (const msg of sub) msg.respond(JSON.stringify({ cancelled: true }));
    })();
    await orchestrator.flush();
    const reply = await connections.get("client")!.request("kbalign.v1.cancel", JSON.stringify({ requestId: "r1" }), { timeout: 10_000 });
    expect(reply.json()).toEqual({ cancelled: true });
  });

  it("refuses a wrong password at once, naming the file and not the secret", async () => {
    const file = await credentialsFile("client", "not-the-password");
    const failure = await connectNats({ url: server.url, name: "wrong", auth: { credentialsFile: file } }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NatsAuthError);
    expect((failure as Error).message).toContain(file);
    expect((failure as Error).message).not.toContain("not-the-password");
  });

  it("refuses a connection with no credentials, saying how to give them", async () => {
    const failure = await connectNats({ url: server.url, name: "anonymous" }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NatsAuthError);
    expect((failure as Error).message).toMatch(/KBALIGN_NATS_CREDENTIALS/);
  });
});
