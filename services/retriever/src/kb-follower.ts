import { setTimeout as sleep } from "node:timers/promises";
import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { KB_STREAM, UnavailableError } from "@kbalign/contracts";
import { ensureKbStream, type Log, type NatsConnection } from "@kbalign/nats";
import type { IndexRegistry } from "./index-registry.js";
import { parseKbMessage } from "./kb-message.js";
import type { RetrieverMetrics } from "./metrics.js";

export interface KbFollowerOptions {
  nc: NatsConnection;
  indexes: IndexRegistry;
  metrics: RetrieverMetrics;
  log: Log;
  /** Lifetime of each pull request (ms); see KBALIGN_KB_PULL_EXPIRES_MS. */
  pullExpiresMs: number;
  /** How often (ms) the consumer's pending count is read for `kbalign_kb_lag_messages`; see KBALIGN_KB_LAG_CHECK_MS. */
  lagCheckMs: number;
  /** Replicas of the KB stream should the follower have to create it (KBALIGN_JS_REPLICAS); default 1. */
  streamReplicas?: number;
}

export interface KbFollower {
  /**
   * Resolves once every document the stream held at start is indexed. Rejects with UnavailableError
   * if the follower stops first (stop(), or the NATS connection closed for good).
   */
  readonly caughtUp: Promise<void>;
  isCaughtUp(): boolean;
  /** Stream sequence of the last message processed, indexed or skipped (0 before any). */
  lastSequence(): number;
  /** Stops consuming; resolves once the consume loop has ended. Idempotent. */
  stop(): Promise<void>;
}

/** Backoff between attempts to reopen a failed consumer: doubling from 250 ms, at most 5 s. */
const reopenDelayMs = (attempt: number): number => Math.min(5_000, 250 * 2 ** attempt);

/**
 * Builds the indexes from the KBALIGN_KB stream and keeps them current: an ordered consumer reads
 * every message from the start, then follows new ones. The stream keeps the latest message per
 * document subject, and `upsert` replaces by id, so replaying it in order converges on the same
 * index in every replica. The ordered consumer recreates itself (at the next sequence) after a gap
 * or a server restart; should its message loop still end, the follower reopens it after the last
 * sequence processed.
 *
 * Resolves after the consumer is open and its first pull is on its way, before any message is
 * processed, so the caller can serve `caughtUp` (and readiness) from a known "not yet" state.
 */
export async function startKbFollower(options: KbFollowerOptions): Promise<KbFollower> {
  const { nc, indexes, metrics, log } = options;
  const started = performance.now();
  const jsm = await ensureKbStream(nc, { replicas: options.streamReplicas ?? 1 });
  const js = jsm.jetstream();
  const { state } = await jsm.streams.info(KB_STREAM);
  // Caught up once the message that was last at start is processed. An empty stream: at once.
  const targetSequence = state.messages === 0 ? 0 : state.last_seq;

  let lastSeq = 0;
  let caughtUp = false;
  let stopping = false;
  let current: ConsumerMessages | undefined;
  let consumer: Consumer | undefined;
  const stopSignal = new AbortController();

  let resolveCaughtUp!: () => void;
  let rejectCaughtUp!: (err: Error) => void;
  const caughtUpPromise = new Promise<void>((resolve, reject) => {
    resolveCaughtUp = resolve;
    rejectCaughtUp = reject;
  });
  // Marked handled here so a follower stopped early never raises an unhandled rejection; whoever
  // awaits `caughtUp` still receives the rejection.
  caughtUpPromise.catch((err: unknown) => log.debug({ err }, "kb follower ended before catching up"));

  const markCaughtUp = (): void => {
    if (caughtUp) return;
    caughtUp = true;
    const seconds = (performance.now() - started) / 1_000;
    metrics.caughtUp.set(1);
    metrics.catchUpDuration.set(seconds);
    log.info({ seconds, sequence: lastSeq, documents: indexes.documentCounts() }, "knowledge base indexed");
    resolveCaughtUp();
  };

  const apply = (msg: JsMsg): void => {
    lastSeq = msg.seq;
    metrics.lastSequence.set(msg.seq);
    // Messages after this one in the stream, as the server counted when delivering it.
    metrics.kbLag.set(msg.info.pending);
    const result = parseKbMessage(msg.subject, msg.data);
    if (!result.ok) {
      metrics.invalidDocuments.inc({ reason: result.reason });
      log.warn({ seq: msg.seq, subject: msg.subject, reason: result.reason, issue: result.detail }, "skipping invalid knowledge-base document");
    } else {
      const { document } = result;
      const index = indexes.getOrCreate(document.collection);
      try {
        metrics.documentsApplied.inc({ operation: index.upsert(document) });
      } catch (err) {
        // A bug, not bad data: keep following (the next documents are fine) but make it loud.
        metrics.invalidDocuments.inc({ reason: "index_failed" });
        log.error({ err, seq: msg.seq, subject: msg.subject, id: document.id }, "indexing a knowledge-base document failed");
      }
      metrics.indexDocuments.set({ collection: document.collection }, index.size);
      metrics.indexTerms.set({ collection: document.collection }, index.termCount);
    }
    if (msg.seq >= targetSequence || msg.info.pending === 0) markCaughtUp();
  };

  const open = async (): Promise<ConsumerMessages> => {
    const opened = await js.consumers.get(
      KB_STREAM,
      lastSeq === 0 ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 },
    );
    const messages = await opened.consume({ expires: options.pullExpiresMs });
    consumer = opened;
    void watchStatus(messages, metrics, log);
    return messages;
  };

  const run = async (first: ConsumerMessages): Promise<void> => {
    let next: ConsumerMessages | undefined = first;
    for (let attempt = 0; !stopping; attempt++) {
      try {
        current = next ?? (await open());
        next = undefined;
        if (stopping) {
          await current.close();
          break;
        }
        for await (const msg of current) {
          apply(msg);
          attempt = 0;
        }
        if (stopping) break;
        if (nc.isClosed()) throw new UnavailableError("the NATS connection is closed");
        log.warn({ sequence: lastSeq }, "knowledge-base consumer ended, reopening it");
      } catch (err) {
        if (stopping) break;
        if (nc.isClosed()) {
          log.error({ err, sequence: lastSeq }, "knowledge-base follower stopped: the NATS connection is closed");
          break;
        }
        log.error({ err, sequence: lastSeq, attempt }, "knowledge-base consumer failed, reopening it");
      }
      metrics.followerRestarts.inc();
      try {
        await sleep(reopenDelayMs(attempt), undefined, { signal: stopSignal.signal });
      } catch {
        break; // aborted by stop()
      }
    }
    if (!caughtUp) rejectCaughtUp(new UnavailableError("the knowledge-base follower stopped before catching up"));
  };

  // Between messages the lag is what the server still holds for the consumer: a follower that has
  // stalled (or a stream that grows faster than it is applied) shows here, not only on the next message.
  let checkingLag = false;
  const checkLag = async (): Promise<void> => {
    if (checkingLag || !consumer || stopping) return;
    checkingLag = true;
    try {
      const before = lastSeq;
      const info = await consumer.info();
      // A message applied meanwhile has set a fresher figure.
      if (lastSeq === before) metrics.kbLag.set(info.num_pending);
    } catch (err) {
      log.debug({ err }, "reading the knowledge-base consumer's pending count failed");
    } finally {
      checkingLag = false;
    }
  };

  const first = await open();
  if (targetSequence === 0) markCaughtUp();
  const done = run(first);
  const lagTimer = setInterval(() => void checkLag(), options.lagCheckMs);
  lagTimer.unref();
  let stopped: Promise<void> | undefined;

  return {
    caughtUp: caughtUpPromise,
    isCaughtUp: () => caughtUp,
    lastSequence: () => lastSeq,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        clearInterval(lagTimer);
        stopSignal.abort();
        await current?.close();
        await done;
      })()),
  };
}

/** Logs what the consumer reports that an operator may want to see, and counts its resets. */
async function watchStatus(messages: ConsumerMessages, metrics: RetrieverMetrics, log: Log): Promise<void> {
  try {
    for await (const status of messages.status()) {
      switch (status.type) {
        case "ordered_consumer_recreated":
          metrics.consumerResets.inc();
          log.info({ consumer: status.name }, "knowledge-base consumer recreated");
          break;
        case "heartbeats_missed":
        case "consumer_not_found":
        case "stream_not_found":
        case "consumer_deleted":
        case "no_responders":
          log.warn({ status }, "knowledge-base consumer status");
          break;
        default:
          break;
      }
    }
  } catch (err) {
    log.warn({ err }, "knowledge-base consumer status stream failed");
  }
}
