import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { choosePrometheusPort, findPrometheus } from "./prometheus.js";

describe("findPrometheus", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kbalign-find-prometheus-"));
    await writeFile(join(dir, "prometheus"), "#!/bin/sh\n");
    await chmod(join(dir, "prometheus"), 0o755);
    await writeFile(join(dir, "not-executable"), "");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("finds `prometheus` on PATH", () => {
    expect(findPrometheus(undefined, `/nonexistent:${dir}`)).toBe(join(dir, "prometheus"));
  });
  it("takes KBALIGN_PROMETHEUS as a path", () => {
    expect(findPrometheus(join(dir, "prometheus"), "")).toBe(join(dir, "prometheus"));
  });
  it("finds nothing when it is absent or not executable", () => {
    expect(findPrometheus(undefined, "/nonexistent")).toBeUndefined();
    expect(findPrometheus(join(dir, "not-executable"), dir)).toBeUndefined();
    expect(findPrometheus("/nonexistent/prometheus", dir)).toBeUndefined();
  });
});

describe("choosePrometheusPort", () => {
  it("takes the port asked for when free, else the next free one that is not to be avoided", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      expect(await choosePrometheusPort(port, [])).toBeGreaterThan(port);
      expect(await choosePrometheusPort(port, [port + 1])).toBeGreaterThan(port + 1);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
