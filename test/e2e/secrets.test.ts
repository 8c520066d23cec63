import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { NatsRoles, type StageEvent } from "@kbalign/contracts";
import { freePort } from "@kbalign/testing";
import { runCli, startNode, type TestProcess } from "./support/child-process.js";
import { FAIL_BODY, FAIL_MARKER, startFakeLlm, type FakeLlm } from "./support/fake-llm.js";
import { startOtlpReceiver, type OtlpReceiver } from "./support/otlp-receiver.js";
import { assertBuilt, cliMain } from "./support/paths.js";
import { ask } from "./support/query-client.js";
import { until } from "./support/until.js";

// `kbalign up --auth` with an LLM key and NATS passwords set, driven through success and failure
// paths at debug log level with tracing on; then every log line, span, event, metric and line of
// output is searched for the secrets, and for the internal detail a failing provider sent.

describe("secrets stay secret: kbalign up --auth with an LLM key", () => {
  const llmKey = `sk-e2e-${randomBytes(16).toString("hex")}`;
  let llm: FakeLlm;
  let receiver: OtlpReceiver;
  let up: TestProcess;
  let dataDir: string;
  let natsUrl: string;
  let passwords: string[];
  let client: NatsConnection;
  const events: StageEvent[] = [];
  const outputs: string[] = [];

  const credentials = (role: string) => join(dataDir, "credentials", `${role}.json`);

  beforeAll(async () => {
    assertBuilt();
    [llm, receiver] = await Promise.all([startFakeLlm(), startOtlpReceiver()]);
    const port = await freePort();
    natsUrl = `nats://127.0.0.1:${port}`;
    dataDir = await mkdtemp(join(tmpdir(), "kbalign-secrets-e2e-"));
    up = startNode("kbalign up --auth", cliMain, ["up", "--auth", "--port", String(port), "--data", dataDir, "--ops-port", "0", "--no-prometheus"], {
      ...process.env,
      KBALIGN_LOG_LEVEL: "debug",
      KBALIGN_GENERATOR_BACKEND: "openai",
      KBALIGN_LLM_BASE_URL: llm.baseUrl,
      KBALIGN_LLM_MODEL: "e2e-model",
      KBALIGN_LLM_API_KEY: llmKey,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_SERVICE_NAME: undefined,
      OTEL_SDK_DISABLED: undefined,
    });
    await up.waitForStdout(/kbalign is up/, 60_000);
    passwords = await Promise.all(NatsRoles.map(async (role) => (JSON.parse(await readFile(credentials(role), "utf8")) as { password: string }).password));

    // Success: documents loaded with the ingest role, questions asked with the client role.
    const corpus = join(dataDir, "corpus.jsonl");
    await writeFile(
      corpus,
      [
        { _id: "tides", title: "Tides", text: "Tides are caused mainly by the gravitational pull of the Moon on the oceans." },
        { _id: "bees", title: "Bees", text: "Honey bees tell each other where flowers are with a waggle dance." },
      ]
        .map((d) => JSON.stringify(d))
        .join("\n"),
    );
    const ingest = await runCli(["ingest", corpus, "--collection", "facts", "--nats", natsUrl, "--credentials", credentials("ingest")]);
    outputs.push(ingest.stdout, ingest.stderr);
    expect(ingest.code, ingest.stderr).toBe(0);

    const { password } = JSON.parse(await readFile(credentials("client"), "utf8")) as { password: string };
    client = await connect({ servers: natsUrl, user: "client", pass: password, inboxPrefix: "_INBOX.client" });
    await until(
      "the documents are searchable",
      async () => ((await ask(client, { query: "What causes tides?", collection: "facts", topn: 2 })).at(-1)?.state === "done" ? true : undefined),
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await up?.stop(20_000);
    await Promise.all([llm?.close(), receiver?.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("answers with the LLM, which received the key", async () => {
    const answered = await ask(client, { query: "What causes tides?", collection: "facts", topn: 2 });
    events.push(...answered);
    expect(answered.at(-1)).toMatchObject({ state: "done", degraded: [] });
    expect(llm.requests.at(-1)?.authorization).toBe(`Bearer ${llmKey}`);
  });

  it("degrades when the LLM fails, telling the client what happened without the provider's text", async () => {
    const degraded = await ask(client, { query: `What causes tides? ${FAIL_MARKER}`, collection: "facts", topn: 2 });
    events.push(...degraded);
    const done = degraded.at(-1);
    expect(done?.state).toBe("done");
    expect(done?.state === "done" && done.degraded.map((d) => [d.code, d.message])).toContainEqual(["GENERATION_FAILED", "the language model could not produce an answer"]);
  });

  it("refuses bad input and unknown collections with clear errors", async () => {
    const bad = await ask(client, { query: "x", collection: "facts", topn: 99 });
    const missing = await ask(client, { query: "x", collection: "nowhere" });
    events.push(...bad, ...missing);
    expect(bad.at(-1)).toMatchObject({ state: "error", code: "BAD_REQUEST", field: "topn" });
    expect(missing.at(-1)).toMatchObject({ state: "error", code: "COLLECTION_NOT_FOUND" });
  });

  it("refuses a client that tries to load documents, and a wrong password, without printing either password", async () => {
    const denied = await runCli(["ingest", join(dataDir, "corpus.jsonl"), "--collection", "facts", "--nats", natsUrl, "--credentials", credentials("client")]);
    outputs.push(denied.stdout, denied.stderr);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/may not load documents/);

    const wrong = join(dataDir, "wrong.json");
    await writeFile(wrong, JSON.stringify({ user: "client", password: "definitely-not-it" }));
    const refused = await runCli(["ask", "x", "--collection", "facts", "--nats", natsUrl, "--credentials", wrong]);
    outputs.push(refused.stdout, refused.stderr);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refused the credentials of .*wrong\.json/);
    expect(refused.stderr).not.toContain("definitely-not-it");
  });

  it("never writes a secret to a log, a span, an event, a metric or the console", async () => {
    // Spans are exported in batches: wait for the failed generation's.
    await until("the generator's spans are exported", async () => (receiver.spans.some((s) => s.name.startsWith("process kbalign.v1.generate")) ? true : undefined), 15_000);
    const logsDir = join(dataDir, "logs");
    const logs = await Promise.all((await readdir(logsDir)).map(async (file) => [file, await readFile(join(logsDir, file), "utf8")] as const));
    const metrics: string[] = [];
    for (const [, url] of up.stdout().matchAll(/^ {2}(?:retriever|generator|orchestrator) +(http:\/\/127\.0\.0\.1:\d+)\/metrics/gm)) {
      metrics.push(await (await fetch(`${url}/metrics`)).text());
    }
    expect(metrics).toHaveLength(3);
    const places: Array<[string, string]> = [
      ...logs.map(([file, text]) => [`log ${file}`, text] as [string, string]),
      ["spans", JSON.stringify(receiver.spans)],
      ["events", JSON.stringify(events)],
      ["metrics", metrics.join("\n")],
      ["kbalign up output", up.stdout() + up.stderr()],
      ["cli output", outputs.join("\n")],
    ];
    // The scan is only worth something if it read what the stack did.
    expect(logs.find(([file]) => file === "generator.log")?.[1].length).toBeGreaterThan(0);
    expect(receiver.spans.length).toBeGreaterThan(0);
    for (const secret of [llmKey, ...passwords]) {
      for (const [where, text] of places) expect(text.includes(secret), `a secret in ${where}`).toBe(false);
    }
    // The provider's text reached the logs (for operators), never the client.
    const providerText = (JSON.parse(FAIL_BODY) as { error: { message: string } }).error.message;
    expect(JSON.stringify(events)).not.toContain("internal.example");
    expect(logs.some(([, text]) => text.includes("internal.example")) || JSON.stringify(receiver.spans).includes("internal.example")).toBe(true);
    expect(providerText).toContain("internal.example");
  });
});
