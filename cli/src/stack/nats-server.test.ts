import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { canConnect, freePort } from "@kbalign/net";
import { readFile } from "node:fs/promises";
import { launchNatsServer, natsServerGoMaxProcs } from "./nats-server.js";

describe("launchNatsServer", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-up-nats-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = (port: number, bin = process.env.KBALIGN_NATS_SERVER ?? "nats-server") => ({
    bin,
    port,
    storeDir: join(dir, "nats"),
    logFile: join(dir, "nats-server.log"),
    env: process.env,
    onCrash: () => undefined,
  });

  it("starts nats-server with JetStream on the port and stops it", async () => {
    const port = await freePort();
    const server = await launchNatsServer(options(port));
    expect(server.url).toBe(`nats://127.0.0.1:${port}`);
    expect(await canConnect(port)).toBe(true);
    await server.process.stop();
    expect(await canConnect(port)).toBe(false);
  });

  it("runs nats-server with a quarter of the cores as Go threads, unless GOMAXPROCS is set", async () => {
    expect(natsServerGoMaxProcs({}, 2)).toBe("1");
    expect(natsServerGoMaxProcs({}, 16)).toBe("4");
    expect(natsServerGoMaxProcs({ GOMAXPROCS: "3" }, 2)).toBe("3");
    const port = await freePort();
    const server = await launchNatsServer({ ...options(port), env: { ...process.env, GOMAXPROCS: "2" } });
    try {
      const environ = await readFile(`/proc/${server.process.pid()}/environ`, "utf8");
      expect(environ.split("\0")).toContain("GOMAXPROCS=2");
    } finally {
      await server.process.stop();
    }
  });

  it("fails with a clear message when the port is taken", async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const error = await launchNatsServer(options(port)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(CliError);
      expect((error as Error).message).toMatch(new RegExp(`^port ${port} is already in use on 127\\.0\\.0\\.1`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("says how to install nats-server when the binary is missing", async () => {
    const error = await launchNatsServer(options(await freePort(), "kbalign-no-such-nats-server")).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toContain("apt-get install nats-server");
    expect((error as Error).message).toContain("KBALIGN_NATS_SERVER");
  });
});
