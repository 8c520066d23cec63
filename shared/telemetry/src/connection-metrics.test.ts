import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { countConnectionStatus } from "./connection-metrics.js";

describe("countConnectionStatus", () => {
  it("counts reconnects and disconnects from the status iterator", async () => {
    const registry = new Registry();
    async function* statuses() {
      yield* [{ type: "disconnect" }, { type: "reconnecting" }, { type: "reconnect" }, { type: "ping" }, { type: "disconnect" }, { type: "reconnect" }];
    }
    await countConnectionStatus(statuses(), registry);
    const text = await registry.metrics();
    expect(text).toContain("kbalign_nats_reconnects_total 2");
    expect(text).toContain("kbalign_nats_disconnects_total 2");
  });
});
