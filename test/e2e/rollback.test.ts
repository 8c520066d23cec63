import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { DoneEvent, RecallEvent, StageEvent } from "@kbalign/contracts";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { runCli, startNode, type TestProcess } from "./support/child-process.js";
import { assertBuilt, SERVICE_NAMES, serviceMain, type ServiceKey } from "./support/paths.js";
import { answersPing, ask } from "./support/query-client.js";
import { until } from "./support/until.js";

// Configuration and data rollback as an operator runs it: every service its own process (two
// orchestrators, two retrievers, a third retriever started later), changed with the real `kbalign`
// command, observed over the public contract only.

const edition = (tag: string) =>
  [
    { _id: `${tag}-food`, title: "Otter food", text: `Sea otters eat urchins, crabs and clams (${tag} edition).` },
    { _id: `${tag}-tools`, title: "Otter tools", text: `Sea otters crack shells open with stones they keep (${tag} edition).` },
    { _id: `${tag}-sleep`, title: "Otter sleep", text: `Sea otters sleep floating on their backs, holding hands (${tag} edition).` },
  ]
    .map((row) => JSON.stringify(row))
    .join("\n") + "\n";

describe("rollback end to end: real processes, public contract", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let workDir: string;
  const processes: TestProcess[] = [];

  const start = (key: ServiceKey, name: string): TestProcess => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: nats.url,
      KBALIGN_HTTP_PORT: "0",
      KBALIGN_LOG_LEVEL: "warn",
      KBALIGN_INSTANCE: name,
      KBALIGN_KB_LAG_CHECK_MS: "200",
    };
    const child = startNode(name, serviceMain(key), [], env);
    processes.push(child);
    return child;
  };
  const explain = () => processes.map((p) => `--- ${p.name} stderr:\n${p.stderr().slice(-1_500)}`).join("\n");
  const cli = (...args: string[]) => runCli([...args, "--nats", nats.url]);
  const question = () => ({ query: "What do sea otters eat and how do they open shells?", collection: "otters", requestId: `e2e-${Math.random().toString(36).slice(2)}` });
  const done = (events: StageEvent[]) => events.at(-1) as DoneEvent;
  const recalled = (events: StageEvent[]) => events.filter((e): e is RecallEvent => e.state === "recall" || e.state === "query_expansion_recall").flatMap((e) => e.docs.map((d) => d.id));
  /** Asks until `accept` holds for an answer, then for `confirm` more answers in a row (spread over the replicas). */
  const untilAnswers = async (what: string, accept: (events: StageEvent[]) => boolean, confirm = 6) => {
    await until(what, async () => (accept(await ask(nc, question())) ? true : undefined), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${explain()}`);
    });
    for (let i = 0; i < confirm; i++) expect(accept(await ask(nc, question()))).toBe(true);
  };

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), "kbalign-e2e-rollback-"));
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    await writeFile(join(workDir, "first.jsonl"), edition("first"));
    await writeFile(join(workDir, "second.jsonl"), edition("second"));
    const ingest = await cli("ingest", join(workDir, "first.jsonl"), "--collection", "otters");
    expect(ingest.code, ingest.stderr).toBe(0);
    start("retriever", "retriever-a");
    start("retriever", "retriever-b");
    start("generator", "generator");
    start("orchestrator", "orchestrator-a");
    start("orchestrator", "orchestrator-b");
    for (const key of ["retriever", "generator", "orchestrator"] as const) {
      await until(`${SERVICE_NAMES[key]} answers PING`, async () => ((await answersPing(nc, SERVICE_NAMES[key])) ? true : undefined), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${explain()}`);
      });
    }
    await untilAnswers("the stack answers from version 1", (events) => done(events).kbVersion === 1, 0);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await nc?.close();
    await nats?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("applies a config change in every orchestrator process, refuses a bad one, and rolls back", { timeout: 90_000 }, async () => {
    // Every document matches the question: a query without topn recalls min(topn, 3) of them.
    const firstRecall = (events: StageEvent[]) => (events.find((e) => e.state === "recall") as RecallEvent | undefined)?.docs.length;
    expect(firstRecall(await ask(nc, question()))).toBe(3);
    const set = await cli("config", "set", "query.defaultTopn", "1");
    expect(set.code, set.stderr).toBe(0);
    const revision = Number(/revision (\d+)/.exec(set.stdout)![1]);
    await untilAnswers("every answer runs with the new revision", (events) => done(events).configRevision === revision && firstRecall(events) === 1);

    const refused = await cli("config", "set", "query.defaultTopn", "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused: query.defaultTopn");

    const undo = await cli("config", "rollback");
    expect(undo.code, undo.stderr).toBe(0);
    await untilAnswers("every answer runs with the rolled-back revision", (events) => (done(events).configRevision ?? 0) > revision && firstRecall(events) === 3);
  });

  it("switches every retriever to a new version, rolls back, and deletes a document for good", { timeout: 120_000 }, async () => {
    const loaded = await cli("ingest", join(workDir, "second.jsonl"), "--collection", "otters", "--new-version");
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain("collection 'otters' now serves version 2 (was 1)");
    await untilAnswers("every answer comes from version 2", (events) => done(events).kbVersion === 2 && recalled(events).every((id) => id.startsWith("second-")));

    expect((await cli("kb", "rollback", "otters")).stdout).toContain("rolled back from version 2 to version 1");
    await untilAnswers("every answer comes from version 1 again", (events) => done(events).kbVersion === 1 && recalled(events).every((id) => id.startsWith("first-")));

    const deleted = await cli("kb", "delete", "otters", "first-food");
    expect(deleted.code, deleted.stderr).toBe(0);
    await untilAnswers("no replica returns the deleted document", (events) => done(events).state === "done" && !recalled(events).includes("first-food"));

    // A retriever started after the delete, alone: it never saw the document.
    const late = start("retriever", "retriever-late");
    await until("the late retriever answers PING", async () => ((await answersPing(nc, SERVICE_NAMES.retriever)) ? true : undefined), 30_000);
    await Promise.all(processes.filter((p) => p.name === "retriever-a" || p.name === "retriever-b").map((p) => p.stop()));
    await untilAnswers("the late retriever answers alone, without the deleted document", (events) => done(events).kbVersion === 1 && recalled(events).length > 0 && !recalled(events).includes("first-food"));
    expect(late.stderr()).not.toMatch(/"level":50/);
  });
});
