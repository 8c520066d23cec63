// Test harness: fake retriever/generator micro services on a real nats-server, an in-process
// orchestrator, and a client that asks a query and collects its stage events.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startNatsServer, type TestNatsServer } from "@kbalign/testing";
import { Registry } from "prom-client";
import {
  GenerateCancel,
  GenerateRequest,
  RetrieveRequest,
  ServiceNames,
  StageEvent,
  instanceSubject,
  Subjects,
  isTerminal,
  type Document,
  type GenerateReply,
} from "@kbalign/contracts";
import { connectNats, decodeJson, encodeJson, serveEndpoint, serveStreamEndpoint, Svcm, type NatsConnection, type Service } from "@kbalign/nats";
import { createLogger } from "@kbalign/telemetry";
import { loadConfig, startOrchestrator, type Orchestrator } from "../../src/index.js";

export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export const docsA: Document[] = [
  { id: "en-bees", score: 4.2, title: "Honey bees", text: "Honey bees communicate the location of flowers with a waggle dance. The angle of the dance shows the direction." },
  { id: "en-tides", score: 1.1, title: "Ocean tides", text: "Tides are caused mainly by the gravitational pull of the Moon." },
];
export const docsB: Document[] = [
  { id: "en-dance", score: 6.5, title: "Waggle dance", text: "The length of the waggle run tells the distance to the food." },
];

export const connect = (url: string) => connectNats({ url, name: `test-${randomUUID().slice(0, 8)}` });

export interface FakeRetriever {
  calls: RetrieveRequest[];
  stop(): Promise<void>;
}

/** A fake `kbalign-retriever`: a micro service on the real subject, answering with `handle`. */
export async function startFakeRetriever(nc: NatsConnection, handle: (req: RetrieveRequest, call: number) => Promise<Document[]>): Promise<FakeRetriever> {
  const calls: RetrieveRequest[] = [];
  const service: Service = await new Svcm(nc).add({ name: ServiceNames.retriever, version: "0.0.1" });
  // Like the real retriever: the shared subject and this replica's own.
  for (const subject of [Subjects.retrieve, instanceSubject(Subjects.retrieve, service.info().id)]) {
    serveEndpoint(service, {
      name: subject === Subjects.retrieve ? "retrieve" : "retrieve-instance",
      subject,
      log: quiet,
      request: RetrieveRequest,
      handle: async (req) => {
        calls.push(req);
        return { docs: await handle(req, calls.length - 1) };
      },
    });
  }
  await nc.flush(); // the server knows the subscription before any other connection asks
  return { calls, stop: () => service.stop().then(() => undefined) };
}

/** docsA for a plain query, docsB for an expanded one (it contains a newline). */
/** docsA for the question, docsB for the second recall (the question expanded by the first answer). */
export const twoRecalls = async (req: RetrieveRequest) => (req.expansion === undefined ? docsA : docsB);

type Send = (reply: GenerateReply) => void;

export interface FakeGenerator {
  requests: GenerateRequest[];
  /** streamIds received on kbalign.v1.generate.cancel. */
  cancels: string[];
  /** Resolves when a cancel for `streamId` arrives (or after `ms`). */
  cancelled(streamId: string, ms?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** A fake `kbalign-generator`: streams what `handle` sends, and records cancels. */
export async function startFakeGenerator(
  nc: NatsConnection,
  handle: (req: GenerateRequest, send: Send, fake: FakeGenerator) => Promise<void>,
): Promise<FakeGenerator> {
  const requests: GenerateRequest[] = [];
  const cancels: string[] = [];
  const waiters = new Map<string, () => void>();
  const cancelSub = nc.subscribe(Subjects.generateCancel, {
    callback: (err, msg) => {
      if (err) return;
      const { streamId } = GenerateCancel.parse(decodeJson(msg.data));
      cancels.push(streamId);
      waiters.get(streamId)?.();
    },
  });
  const service: Service = await new Svcm(nc).add({ name: ServiceNames.generator, version: "0.0.1" });
  const fake: FakeGenerator = {
    requests,
    cancels,
    cancelled: (streamId, ms = 5_000) =>
      cancels.includes(streamId)
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            waiters.set(streamId, () => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
    stop: async () => {
      cancelSub.unsubscribe();
      await service.stop();
    },
  };
  for (const subject of [Subjects.generate, instanceSubject(Subjects.generate, service.info().id)]) {
    serveStreamEndpoint(service, {
      name: subject === Subjects.generate ? "generate" : "generate-instance",
      subject,
      log: quiet,
      request: GenerateRequest,
      handle: async (req, send) => {
        requests.push(req);
        await handle(req, send, fake);
      },
    });
  }
  await nc.flush();
  return fake;
}

/** Sends `texts` as chunks, then `end`. */
export function stream(send: Send, ...texts: string[]): void {
  texts.forEach((text, seq) => send({ type: "chunk", seq, text }));
  send({ type: "end", seq: texts.length, finishReason: "stop" });
}

/** A generator answering "draft answer." first, then "Bees " + "dance.". */
export const answering = async (req: GenerateRequest, send: Send) =>
  req.purpose === "first_answer" ? stream(send, "draft answer.") : stream(send, "Bees ", "dance.");

export const silentLog = () => createLogger({ service: "orchestrator-test", level: "silent" });

export interface TestOrchestrator extends Orchestrator {
  registry: Registry;
}

export async function startTestOrchestrator(nc: NatsConnection, url: string, env: Record<string, string> = {}): Promise<TestOrchestrator> {
  const registry = new Registry();
  const config = loadConfig({ NATS_URL: url, KBALIGN_HTTP_PORT: "0", ...env });
  const orchestrator = await startOrchestrator({ nc, config, log: silentLog(), registry });
  await nc.flush();
  return { ...orchestrator, registry };
}

export interface OpenQuery {
  /** Events received so far. */
  events: StageEvent[];
  /** All events, once the terminal one arrived; rejects if none arrives within the timeout. */
  finished: Promise<StageEvent[]>;
}

/** Publishes a query (an object as JSON, a string as raw bytes) with a reply inbox and collects the events. */
export function openQuery(nc: NatsConnection, body: unknown, timeoutMs = 5_000): OpenQuery {
  const inbox = `_INBOX.test.${randomUUID()}`;
  const sub = nc.subscribe(inbox);
  const events: StageEvent[] = [];
  const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
  const finished = (async () => {
    for await (const msg of sub) {
      const event = StageEvent.parse(decodeJson(msg.data));
      events.push(event);
      if (isTerminal(event)) break;
    }
    clearTimeout(timer);
    sub.unsubscribe();
    if (!events.some(isTerminal)) throw new Error(`no terminal event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
    return events;
  })();
  nc.publish(Subjects.query, typeof body === "string" ? new TextEncoder().encode(body) : encodeJson(body), { reply: inbox });
  return { events, finished };
}

export const ask = (nc: NatsConnection, body: unknown, timeoutMs?: number) => openQuery(nc, body, timeoutMs).finished;

export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The value of a metric series (0 when absent). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const series = values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val) && (v as { metricName?: string }).metricName === undefined);
  return series?.value ?? 0;
}

export const states = (events: StageEvent[]) => events.map((e) => e.state);

/**
 * The shared test bed of a test file: a nats-server, three connections (the client, the fakes,
 * the orchestrator) and cleanup after each test of whatever `started` started. Registers the
 * vitest hooks itself; the connections are set once `beforeAll` has run.
 */
export interface TestBed {
  server: TestNatsServer;
  client: NatsConnection;
  fakes: NatsConnection;
  orchestratorNc: NatsConnection;
  /** Awaits `thing` and stops it after the current test. */
  started<T extends { stop(): Promise<unknown> }>(thing: Promise<T>): Promise<T>;
  /** An orchestrator (on the bed's own connection unless `nc` is given), stopped after the test. */
  orchestrator(env?: Record<string, string>, nc?: NatsConnection): Promise<TestOrchestrator>;
  /** Another connection to the server, closed after the test. */
  extraConnection(): Promise<NatsConnection>;
}

export function useTestBed(): TestBed {
  const cleanups: Array<() => Promise<unknown>> = [];
  const bed = {
    async started<T extends { stop(): Promise<unknown> }>(thing: Promise<T>): Promise<T> {
      const t = await thing;
      cleanups.push(() => t.stop());
      return t;
    },
    orchestrator: (env?: Record<string, string>, nc?: NatsConnection) =>
      bed.started(startTestOrchestrator(nc ?? bed.orchestratorNc, bed.server.url, env)),
    async extraConnection() {
      const nc = await connect(bed.server.url);
      cleanups.push(() => nc.close());
      return nc;
    },
  } as TestBed;
  beforeAll(async () => {
    bed.server = await startNatsServer({ jetstream: false });
    [bed.client, bed.fakes, bed.orchestratorNc] = await Promise.all([connect(bed.server.url), connect(bed.server.url), connect(bed.server.url)]);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await Promise.all([bed.client?.close(), bed.fakes?.close(), bed.orchestratorNc?.close()]);
    await bed.server?.stop();
  });
  return bed;
}
