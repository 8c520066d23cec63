import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canConnect, freePort } from "@kbalign/net";
import { launchNatsServer } from "./nats-server.js";
import { chooseListenerPort, monitorUrl, websocketUrl } from "./nats-listeners.js";

describe("listener URLs", () => {
  it("says where clients reach the WebSocket and monitoring listeners", () => {
    expect(websocketUrl({ host: "127.0.0.1", websocketPort: 8080, monitorPort: 8222 })).toBe("ws://127.0.0.1:8080");
    expect(monitorUrl({ host: "127.0.0.1", websocketPort: 8080, monitorPort: 8222 })).toBe("http://127.0.0.1:8222");
  });
});

describe("chooseListenerPort", () => {
  it("keeps a free port, moves past a taken one or one to avoid, and picks any for 0", async () => {
    const port = await freePort();
    expect(await chooseListenerPort(port, [])).toBe(port);
    expect(await chooseListenerPort(port, [port])).toBeGreaterThan(port);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      expect(await chooseListenerPort(port, [])).toBeGreaterThan(port);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(await chooseListenerPort(0, [])).toBeGreaterThan(0);
  });
});

describe("nats-server with the listeners' configuration", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-listeners-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("serves WebSocket and /varz on the chosen ports", async () => {
    const [port, websocketPort, monitorPort] = [await freePort(), await freePort(), await freePort()];
    const listeners = { host: "127.0.0.1", websocketPort, monitorPort };
    const server = await launchNatsServer({
      bin: process.env.KBALIGN_NATS_SERVER ?? "nats-server",
      port,
      storeDir: join(dir, "nats"),
      logFile: join(dir, "nats-server.log"),
      config: { file: join(dir, "nats-server.conf"), settings: { websocket: `127.0.0.1:${websocketPort}`, monitoring: `127.0.0.1:${monitorPort}` } },
      env: process.env,
      onCrash: () => undefined,
    });
    try {
      const varz = (await (await fetch(`${monitorUrl(listeners)}/varz`)).json()) as { port?: number; websocket?: { port?: number } };
      expect(varz.port).toBe(port);
      expect(varz.websocket?.port).toBe(websocketPort);
      expect(await canConnect(websocketPort)).toBe(true);
    } finally {
      await server.process.stop();
    }
  });
});
