import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@kbalign/testing";
import { startNode, type TestProcess } from "./support/child-process.js";
import { startFakeLlm, type FakeLlm } from "./support/fake-llm.js";
import { assertBuilt, cliMain, repoRoot } from "./support/paths.js";
import { ask } from "./support/query-client.js";
import { until } from "./support/until.js";

// The repository's alert rules, unchanged, in a real Prometheus (Debian's package; scripts/bootstrap.mjs
// installs it) scraping a real stack whose LLM answers in 150 ms: every query then takes longer than
// the 100 ms target, and the latency SLO's fast-burn alert must fire, as seen through Prometheus' API.
// Only the intervals are the test's: scrape and evaluate every second.

const LLM_DELAY_MS = 150;
const ALERT = "KbalignLatencyBudgetBurnFast";

interface ApiAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
  value: string;
}

describe("a real Prometheus with the repository's rules", () => {
  let llm: FakeLlm;
  let up: TestProcess;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = "";
  let workDir: string;
  let nc: NatsConnection;
  let apiUrl: string;

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-prometheus-e2e-"));
    llm = await startFakeLlm({ delayMs: LLM_DELAY_MS });
    const natsPort = await freePort();
    const { KBALIGN_GENERATOR_BACKEND: _backend, ...env } = process.env;
    up = startNode("kbalign up", cliMain, ["up", "--port", String(natsPort), "--data", join(workDir, "stack"), "--ops-port", "0", "--demo", "--no-prometheus"], {
      ...env,
      KBALIGN_LOG_LEVEL: "warn",
      KBALIGN_GENERATOR_BACKEND: "openai",
      KBALIGN_LLM_BASE_URL: llm.baseUrl,
      KBALIGN_LLM_MODEL: "e2e-slow",
    });
    await up.waitForStdout(/kbalign is up/, 60_000);
    const targets = Object.fromEntries(
      [...up.stdout().matchAll(/^ {2}(retriever|generator|orchestrator) +http:\/\/(127\.0\.0\.1:\d+)\/metrics/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(Object.keys(targets)).toEqual(["retriever", "generator", "orchestrator"]);

    // JSON is YAML: the scrape config of observability/prometheus/prometheus.yml with this stack's ports.
    const config = {
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: ["recording.yml", "alerts.yml"].map((file) => join(repoRoot, "observability/prometheus/rules", file)),
      scrape_configs: Object.entries(targets).map(([key, target]) => ({ job_name: `kbalign-${key}`, static_configs: [{ targets: [target] }] })),
    };
    await writeFile(join(workDir, "prometheus.yml"), JSON.stringify(config, null, 2));
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}/api/v1`;
    prometheus = spawn(
      process.env.KBALIGN_PROMETHEUS ?? "prometheus",
      [`--config.file=${join(workDir, "prometheus.yml")}`, `--storage.tsdb.path=${join(workDir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.on("data", (chunk: Buffer) => (prometheusLog = (prometheusLog + chunk.toString("utf8")).slice(-4_000)));
    const [started] = await Promise.race([once(prometheus, "spawn").then(() => [true]), once(prometheus, "error").then(() => [false])]);
    if (!started) throw new Error("cannot start prometheus (Debian/Ubuntu: apt-get install prometheus, or set KBALIGN_PROMETHEUS)");
    await until("prometheus is ready", async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 30_000);

    await up.waitForStdout(/demo finished/, 60_000);
    const natsUrl = up.stdout().match(/^ {2}NATS +(nats:\/\/\S+)$/m)?.[1];
    nc = await connect({ servers: natsUrl });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill("SIGTERM");
      await once(prometheus, "exit");
    }
    await up?.stop(15_000);
    await llm?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const alerts = async (): Promise<ApiAlert[]> => {
    const body = (await (await fetch(`${apiUrl}/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
    return body.data.alerts;
  };

  it(`fires ${ALERT} when the generator makes every query slower than 100 ms`, async () => {
    // Steady load from four clients until the alert fires (or the wait gives up).
    let stop = false;
    const answered: number[] = [];
    const client = async () => {
      while (!stop) {
        const started = performance.now();
        const events = await ask(nc, { query: "Why does Mars look red?", collection: "demo", topn: 3 }, { timeoutMs: 10_000 });
        expect(events.at(-1)?.state).toBe("done");
        answered.push(performance.now() - started);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    try {
      const firing = await until(
        `${ALERT} firing in Prometheus`,
        async () => (await alerts()).find((alert) => alert.labels.alertname === ALERT && alert.state === "firing"),
        45_000,
        500,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- prometheus log:\n${prometheusLog}`);
      });
      expect(firing.labels).toMatchObject({ job: "kbalign-orchestrator", severity: "page", slo: "latency" });
      // The share of queries over 100 ms, against the 14.4 x 1% threshold.
      expect(Number(firing.value)).toBeGreaterThan(0.144);
      expect(Math.min(...answered)).toBeGreaterThan(100);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    // Slow is not broken: no availability alert.
    expect((await alerts()).filter((alert) => alert.labels.slo === "availability")).toEqual([]);
  }, 60_000);
});
