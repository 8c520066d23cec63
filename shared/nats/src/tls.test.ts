import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnavailableError } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { connectNats } from "./connection.js";

// TLS against a real nats-server that verifies client certificates: a CA, a server certificate
// for 127.0.0.1 and a client certificate, made with openssl for this test.

const run = promisify(execFile);
let dir: string;
let server: TestNatsServer;
const file = (name: string) => join(dir, name);

async function issue(name: string, subject: string, extensions: string): Promise<void> {
  await run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file(`${name}-key.pem`), "-subj", subject, "-out", file(`${name}.csr`)]);
  await run("bash", ["-c", `printf '%s\\n' '${extensions}' > ${file(`${name}.ext`)}`]);
  await run("openssl", ["x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.pem"), "-CAkey", file("ca-key.pem"), "-CAcreateserial", "-days", "1", "-extfile", file(`${name}.ext`), "-out", file(`${name}.pem`)]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kbalign-tls-"));
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca-key.pem"), "-subj", "/CN=kbalign test CA", "-days", "1", "-out", file("ca.pem")]);
  await issue("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost");
  await issue("client", "/CN=kbalign-client", "extendedKeyUsage=clientAuth");
  server = await startNatsServer({ jetstream: false, tls: { certFile: file("server.pem"), keyFile: file("server-key.pem"), caFile: file("ca.pem"), verify: true } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("connectNats over TLS", () => {
  it("connects with the CA and a client certificate, and carries messages", async () => {
    const nc = await connectNats({
      url: server.url,
      name: "tls-test",
      connectTimeoutMs: 3_000,
      auth: { tlsCaFile: file("ca.pem"), tlsCertFile: file("client.pem"), tlsKeyFile: file("client-key.pem") },
    });
    try {
      const sub = nc.subscribe("tls.check", { max: 1 });
      nc.publish("tls.check", "over tls");
      for await (const msg of sub) expect(msg.string()).toBe("over tls");
    } finally {
      await nc.close();
    }
  });

  it("fails without the client certificate the server asks for", async () => {
    await expect(connectNats({ url: server.url, name: "tls-no-cert", connectTimeoutMs: 1_500, auth: { tlsCaFile: file("ca.pem") } })).rejects.toBeInstanceOf(UnavailableError);
  });

  it("fails when the server's certificate does not chain to the CA given", async () => {
    await expect(
      connectNats({ url: server.url, name: "tls-wrong-ca", connectTimeoutMs: 1_500, auth: { tlsCaFile: file("client.pem"), tlsCertFile: file("client.pem"), tlsKeyFile: file("client-key.pem") } }),
    ).rejects.toBeInstanceOf(UnavailableError);
  });
});
