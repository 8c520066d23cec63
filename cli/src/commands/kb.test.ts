import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { KB_STREAM, type DoneEvent, type RecallEvent, type StageEvent } from "@kbalign/contracts";
import { connectNats, ensureKbStream, type NatsConnection } from "@kbalign/nats";
import { loadConfig as loadOrchestratorConfig, startOrchestrator, type Orchestrator } from "@kbalign/orchestrator";
import { createInProcessGenerator, type GeneratorPort } from "@kbalign/pipeline";
import { loadConfig as loadRetrieverConfig, startRetriever, type RetrieverHandle } from "@kbalign/retriever";
import { createLogger, createMetricsRegistry } from "@kbalign/telemetry";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { newRequestId, streamQuery } from "../ask/query-stream.js";
import { openDocumentSource } from "../documents/document-source.js";
import { ingestDocuments } from "../ingest/ingest-documents.js";
import { holdNewCollection, nextVersion, readKbState } from "../kb/kb-state.js";
import { completeVersion } from "../kb/kb-version.js";
import { runCli } from "../program.js";
import { memoryTerminal } from "../terminal.js";

// Knowledge-base versions end to end: a real nats-server with JetStream, two retriever replicas
// (each on its own connection, as two processes would be), an orchestrator, and the CLI.

const jsonl = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
const edition = (tag: string) => [
  { _id: `${tag}-food`, title: "Otter food", text: `Sea otters eat urchins, crabs and clams (${tag} edition).` },
  { _id: `${tag}-tools`, title: "Otter tools", text: `Sea otters crack shells open with stones they keep (${tag} edition).` },
  { _id: `${tag}-sleep`, title: "Otter sleep", text: `Sea otters sleep floating on their backs, holding hands (${tag} edition).` },
];
const question = "What do sea otters eat and how do they open shells?";

async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A generator whose first answers can be held until released (to switch versions mid-query). */
function gatedGenerator() {
  const inner = createInProcessGenerator();
  let gate: { reached: () => void; released: Promise<void> } | undefined;
  const port: GeneratorPort = {
    async *generate(req, opts) {
      if (req.purpose === "first_answer" && gate) {
        const held = gate;
        gate = undefined;
        held.reached();
        await held.released;
      }
      yield* inner.generate(req, opts);
    },
  };
  /** Holds the next first answer: resolves `reached` when a query gets there; `release()` lets it go on. */
  const hold = () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (gate = { reached: resolve, released }));
    return { reached, release };
  };
  return { port, hold };
}

describe("kbalign kb and ingest --new-version against a real stack", { timeout: 60_000 }, () => {
  let server: TestNatsServer;
  let dir: string;
  const connections: NatsConnection[] = [];
  const retrievers: RetrieverHandle[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  let client: NatsConnection;
  const generator = gatedGenerator();

  const connect = async (url: string, name: string) => {
    const nc = await connectNats({ url, name });
    connections.push(nc);
    return nc;
  };
  const cli = async (url: string, ...args: string[]) => {
    const terminal = memoryTerminal();
    const code = await runCli(["node", "kbalign", ...args, "--nats", url], terminal, {});
    return { code, out: terminal.out(), err: terminal.err() };
  };
  const startRetrieverOn = async (url: string, name: string) => {
    const retriever = await startRetriever({
      nc: await connect(url, name),
      config: loadRetrieverConfig({ KBALIGN_KB_PULL_EXPIRES_MS: "2000", KBALIGN_KB_LAG_CHECK_MS: "100" }),
      log: createLogger({ service: "retriever", level: "silent" }),
      registry: createMetricsRegistry("retriever"),
    });
    stops.push(() => retriever.stop());
    await retriever.caughtUp;
    return retriever;
  };
  const startOrchestratorOn = async (url: string, name: string, generatorPort: GeneratorPort): Promise<Orchestrator> => {
    const orchestrator = await startOrchestrator({
      nc: await connect(url, name),
      config: loadOrchestratorConfig({}),
      log: createLogger({ service: "orchestrator", level: "silent" }),
      registry: createMetricsRegistry("orchestrator"),
      ports: { generator: generatorPort },
      runtimeConfig: false,
    });
    stops.push(() => orchestrator.stop());
    return orchestrator;
  };
  const ask = async (nc: NatsConnection): Promise<StageEvent[]> => {
    const events: StageEvent[] = [];
    for await (const received of streamQuery(nc, { query: question, collection: "otters", requestId: newRequestId() }, { clientTimeoutMs: 20_000 })) {
      if (received.event) events.push(received.event);
    }
    return events;
  };
  const recalled = (events: StageEvent[]) => events.filter((e): e is RecallEvent => e.state === "recall" || e.state === "query_expansion_recall").flatMap((e) => e.docs.map((d) => d.id));
  const done = (events: StageEvent[]) => events.at(-1) as DoneEvent;
  const everyReplica = (check: (r: RetrieverHandle) => boolean) => () => retrievers.every(check);
  const writeEdition = async (tag: string) => {
    const file = join(dir, `${tag}.jsonl`);
    await writeFile(file, jsonl(edition(tag)));
    return file;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), "kbalign-kb-"));
    for (let i = 0; i < 2; i++) retrievers.push(await startRetrieverOn(server.url, `kb-test-retriever-${i}`));
    await startOrchestratorOn(server.url, "kb-test-orchestrator", generator.port);
    client = await connect(server.url, "kb-test-client");
    const ingested = await cli(server.url, "ingest", await writeEdition("first"), "--collection", "otters");
    expect(ingested.code, ingested.err).toBe(0);
    await eventually(everyReplica((r) => r.indexes.get("otters")?.size === 3));
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await Promise.all(connections.map((nc) => nc.close()));
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("serves a new version only once it is complete, then every replica switches to it", async () => {
    expect(done(await ask(client)).kbVersion).toBe(1);
    // Version 2 loaded the way `ingest --new-version` loads it, but not yet marked complete.
    const nc = await connect(server.url, "kb-test-loader");
    const report = await ingestDocuments(nc, await openDocumentSource(await writeEdition("second")), { collection: "otters", version: 2, progress: false }, memoryTerminal());
    expect(report.published).toBe(3);
    await eventually(everyReplica((r) => r.indexes.resolve("otters", 2)?.index.size === 3));
    const meanwhile = await ask(client);
    expect(done(meanwhile).kbVersion).toBe(1);
    expect(recalled(meanwhile).every((id) => id.startsWith("first-"))).toBe(true);

    await completeVersion(await ensureKbStream(nc), "otters", 2, { documents: 3 });
    await eventually(everyReplica((r) => r.indexes.currentVersion("otters") === 2));
    const after = await ask(client);
    expect(done(after).kbVersion).toBe(2);
    expect(recalled(after).every((id) => id.startsWith("second-"))).toBe(true);

    const third = await cli(server.url, "ingest", await writeEdition("third"), "--collection", "otters", "--new-version");
    expect(third.code, third.err).toBe(0);
    expect(third.out).toContain("collection 'otters' now serves version 3 (was 2)");
    await eventually(everyReplica((r) => r.indexes.currentVersion("otters") === 3));
    expect(done(await ask(client)).kbVersion).toBe(3);
    const versions = await cli(server.url, "kb", "versions", "otters");
    expect(versions.out).toMatch(/^\s+1\s+-/m);
    expect(versions.out).toMatch(/^\s+2\s+3\s/m);
    expect(versions.out).toMatch(/^\*\s+3\s+3\s.*third\.jsonl$/m);
  });

  it("serves a new collection's first version only once it is complete too", async () => {
    const nc = await connect(server.url, "kb-test-fresh-loader");
    const jsm = await ensureKbStream(nc);
    const state = await holdNewCollection(jsm, await readKbState(jsm, "fresh"));
    expect(nextVersion(state)).toBe(1);
    await ingestDocuments(nc, await openDocumentSource(await writeEdition("fresh")), { collection: "fresh", version: 1, progress: false }, memoryTerminal());
    await eventually(everyReplica((r) => r.indexes.resolve("fresh", 1)?.index.size === 3));
    for (const retriever of retrievers) expect(retriever.indexes.resolve("fresh")).toBeUndefined();
    await completeVersion(jsm, "fresh", 1, { documents: 3 });
    await eventually(everyReplica((r) => r.indexes.resolve("fresh")?.version === 1));
    expect((await cli(server.url, "kb", "versions", "fresh")).out).toMatch(/^\*\s+1\s+3\s/m);
  });

  it("answers a query in flight during a switch wholly from the version its first recall ranked", async () => {
    const held = generator.hold();
    const answering = ask(client);
    await held.reached; // the first recall ranked version 3; the first answer is being drafted
    const switched = await cli(server.url, "kb", "switch", "otters", "1");
    expect(switched.out).toContain("collection 'otters' now serves version 1");
    await eventually(everyReplica((r) => r.indexes.currentVersion("otters") === 1));
    held.release();
    const events = await answering;
    expect(done(events).kbVersion).toBe(3);
    expect(events.filter((e) => e.state === "query_expansion_recall")).toHaveLength(1);
    expect(recalled(events).every((id) => id.startsWith("third-"))).toBe(true);
    // The next query sees the switch.
    expect(done(await ask(client)).kbVersion).toBe(1);
  });

  it("rolls back to the version served before the last switch", async () => {
    const rolled = await cli(server.url, "kb", "rollback", "otters");
    expect(rolled.code, rolled.err).toBe(0);
    expect(rolled.out).toContain("rolled back from version 1 to version 3");
    await eventually(everyReplica((r) => r.indexes.currentVersion("otters") === 3));
    expect(done(await ask(client)).kbVersion).toBe(3);
    expect((await cli(server.url, "kb", "switch", "otters", "7")).err).toContain("has no complete version 7 (versions: 1, 2, 3)");
  });

  it("deletes a document from every replica, including one started after the delete", async () => {
    const deleted = await cli(server.url, "kb", "delete", "otters", "third-food");
    expect(deleted.code, deleted.err).toBe(0);
    await eventually(everyReplica((r) => r.indexes.get("otters")?.has("third-food") === false));
    retrievers.push(await startRetrieverOn(server.url, "kb-test-retriever-late"));
    for (const retriever of retrievers) {
      expect(retriever.indexes.get("otters")?.has("third-food")).toBe(false);
      expect(retriever.indexes.get("otters")?.size).toBe(2);
    }
    for (let i = 0; i < 6; i++) expect(recalled(await ask(client))).not.toContain("third-food");
    expect((await cli(server.url, "kb", "delete", "otters", "third-food")).err).toContain("document 'third-food' not found in collection 'otters'");
  });

  it("restores a snapshot into an empty stack that then answers identically", async () => {
    const file = join(dir, "otters.snapshot");
    const snap = await cli(server.url, "kb", "snapshot", "otters", file);
    expect(snap.code, snap.err).toBe(0);
    expect(snap.out).toContain("wrote version 3 of 'otters' (2 documents");

    const empty = await startNatsServer();
    stops.push(() => empty.stop());
    const restored = await cli(empty.url, "kb", "restore", file);
    expect(restored.code, restored.err).toBe(0);
    expect(restored.out).toContain("restored 2 documents into 'otters' version 1, now served");
    const retriever = await startRetrieverOn(empty.url, "kb-test-restored-retriever");
    expect(retriever.indexes.get("otters")?.size).toBe(2);
    await startOrchestratorOn(empty.url, "kb-test-restored-orchestrator", createInProcessGenerator());
    const restoredClient = await connect(empty.url, "kb-test-restored-client");

    const strip = (events: StageEvent[]) => events.filter((e) => e.state !== "done").map(({ requestId: _r, ...rest }) => rest);
    expect(strip(await ask(restoredClient))).toEqual(strip(await ask(client)));
  });

  it("refuses a corrupt or truncated snapshot and changes nothing", async () => {
    const file = join(dir, "otters.snapshot");
    const content = await readFile(file, "utf8");
    const jsm = await jetstreamManager(client);
    const before = (await jsm.streams.info(KB_STREAM)).state.last_seq;
    expect(content).toContain("stones");
    const corrupt = join(dir, "corrupt.snapshot");
    await writeFile(corrupt, content.replace("stones", "stoned"));
    const refused = await cli(server.url, "kb", "restore", corrupt);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("refused, nothing restored: checksum mismatch");
    const truncated = join(dir, "truncated.snapshot");
    await writeFile(truncated, content.slice(0, Math.floor(content.length / 2)));
    expect((await cli(server.url, "kb", "restore", truncated, "--collection", "elsewhere")).err).toContain("refused, nothing restored");
    expect((await jsm.streams.info(KB_STREAM)).state.last_seq).toBe(before);
  });
});
