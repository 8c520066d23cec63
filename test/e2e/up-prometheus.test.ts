import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@kbalign/testing";
import { startNode, type TestProcess } from "./support/child-process.js";
import { assertBuilt, cliMain } from "./support/paths.js";
import { childPids, commandOf, isAlive, isListening } from "./support/process-tree.js";
import { until } from "./support/until.js";

// `kbalign up` with Prometheus installed (Debian's package; scripts/bootstrap.mjs installs it):
// it runs one with this run's ops ports and the repository's rules, and stops it with the rest.

interface ApiTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
}

describe("kbalign up with prometheus", () => {
  let up: TestProcess;
  let dataDir: string;
  let prometheusPort: number;
  let prometheusUrl: string;

  beforeAll(async () => {
    assertBuilt();
    dataDir = await mkdtemp(join(tmpdir(), "kbalign-up-prometheus-e2e-"));
    prometheusPort = await freePort();
    const args = ["up", "--port", String(await freePort()), "--data", dataDir, "--ops-port", "0", "--prometheus-port", String(prometheusPort)];
    up = startNode("kbalign up", cliMain, args, { ...process.env, KBALIGN_LOG_LEVEL: "warn" });
    await up.waitForStdout(/kbalign is up/, 60_000);
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  }, 90_000);

  afterAll(async () => {
    await up?.stop(15_000);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const opsUrls = () =>
    Object.fromEntries([...up.stdout().matchAll(/^ {2}(retriever|generator|orchestrator) +http:\/\/(127\.0\.0\.1:\d+)\/metrics/gm)].map((m) => [m[1]!, m[2]!]));

  it("prints Prometheus' UI among the URLs, on the port asked for", () => {
    expect(up.stdout()).toMatch(new RegExp(`^ {2}prometheus +${prometheusUrl}/graph {2}/targets {2}/alerts$`, "m"));
  });

  it("scrapes the three services on this run's ops ports, and Prometheus reports them up", async () => {
    const ops = opsUrls();
    expect(Object.keys(ops)).toEqual(["retriever", "generator", "orchestrator"]);
    // The first scrape comes within one scrape interval (15 s) of Prometheus' start.
    const targets = await until(
      "prometheus reports the three services up",
      async () => {
        const body = (await (await fetch(`${prometheusUrl}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: ApiTarget[] } };
        const active = body.data.activeTargets;
        return active.length === 3 && active.every((t) => t.health === "up") ? active : undefined;
      },
      25_000,
      500,
    );
    expect(Object.fromEntries(targets.map((t) => [t.labels.job, t.scrapeUrl]))).toEqual({
      "kbalign-retriever": `http://${ops.retriever}/metrics`,
      "kbalign-generator": `http://${ops.generator}/metrics`,
      "kbalign-orchestrator": `http://${ops.orchestrator}/metrics`,
    });
  }, 30_000);

  it("loads the repository's rules and keeps exemplars, with its config and data under --data", async () => {
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ file: string; rules: unknown[] }> } };
    expect(new Set(rules.data.groups.map((g) => g.file.replace(/^.*\/observability\/prometheus\//, "")))).toEqual(new Set(["rules/alerts.yml", "rules/recording.yml"]));
    const flags = (await (await fetch(`${prometheusUrl}/api/v1/status/flags`)).json()) as { data: Record<string, string> };
    expect(flags.data["enable-feature"]).toBe("exemplar-storage");
    expect(flags.data["storage.tsdb.path"]).toBe(join(dataDir, "prometheus"));
    expect(flags.data["config.file"]).toBe(join(dataDir, "prometheus.yml"));
    expect(await readFile(join(dataDir, "logs", "prometheus.log"), "utf8")).toMatch(/Server is ready to receive web requests/);
  });

  it("stops Prometheus with the rest on SIGINT", async () => {
    const children = childPids(up.child.pid!);
    expect(children.map(commandOf).filter((c) => c.includes("prometheus") && c.includes("--config.file="))).toHaveLength(1);
    up.child.kill("SIGINT");
    const exit = await Promise.race([up.exited, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 20_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(children.filter(isAlive).map(commandOf)).toEqual([]);
    expect(await isListening(prometheusPort)).toBe(false);
  }, 25_000);
});
