import { setTimeout as sleep } from "node:timers/promises";
import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { KB_STREAM, UnavailableError } from "@kbalign/contracts";
import { ensureKbStream, type Log, type NatsConnection } from "@kbalign/nats";
import type { StreamInfo } from "@nats-io/jetstream";
import type { IndexRegistry } from "./index-registry.js";
import { applyKbMessage, publishIndexGauges } from "./kb-apply.js";
import type { RetrieverMetrics } from "./metrics.js";

export interface KbFollowerOptions {
  nc: NatsConnection;
  indexes: IndexRegistry;
  metrics: RetrieverMetrics;
  log: Log;
  /** Lifetime of each pull request (ms); see KBALIGN_KB_PULL_EXPIRES_MS. */
  pullExpiresMs: number;
  /**
   * How often (ms) the consumer's pending count is read for `kbalign_kb_lag_messages`, and the
   * stream checked for a purge or a reset under the follower; see KBALIGN_KB_LAG_CHECK_MS.
   */
  lagCheckMs: number;
  /** Replicas of the KB stream should the follower have to create it (KBALIGN_JS_REPLICAS); default 1. */
  streamReplicas?: number;
}

/** Why the follower rebuilt its indexes (a bounded metric label). */
export type RebuildReason = "recreated" | "reset" | "purged";

export interface KbFollower {
  /**
   * Resolves once every document the stream held at start is indexed. Rejects with UnavailableError
   * if the follower stops first (stop(), or the NATS connection closed for good).
   */
  readonly caughtUp: Promise<void>;
  isCaughtUp(): boolean;
  /** Stream sequence of the last message processed, indexed or skipped (0 before any). */
  lastSequence(): number;
  /**
   * Following the stream as it should: caught up, not rebuilding, its consume loop still running.
   * The retriever's readiness.
   */
  healthy(): boolean;
  /** True while the indexes are being rebuilt from the stream (the previous ones still serve). */
  isRebuilding(): boolean;
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
 * Messages are documents, tombstones (a deleted document), a collection's pointer (the version it
 * serves) and a version's manifest. Deleting never removes a message, so replaying converges too.
 * Should the stream lose messages under the follower (purged, or deleted and recreated, or reset),
 * the follower would drift from it; it notices (the stream's creation time, its last sequence, and
 * its message count against the subjects the follower holds) and rebuilds: it replays the stream
 * from the start into fresh indexes while the old ones keep serving, then swaps them in at once.
 *
 * Resolves after the consumer is open and its first pull is on its way, before any message is
 * processed, so the caller can serve `caughtUp` (and readiness) from a known "not yet" state.
 */
export async function startKbFollower(options: KbFollowerOptions): Promise<KbFollower> {
  const { nc, indexes, metrics, log } = options;
  const started = performance.now();
  const jsm = await ensureKbStream(nc, { replicas: options.streamReplicas ?? 1 });
  const js = jsm.jetstream();
  const startInfo = await jsm.streams.info(KB_STREAM);
  // Caught up once the message that was last at start is processed. An empty stream: at once.
  const targetSequence = startInfo.state.messages === 0 ? 0 : startInfo.state.last_seq;
  let streamCreated = startInfo.created;

  let lastSeq = 0;
  // Where messages are applied: the live indexes, or fresh ones while rebuilding.
  let target = indexes;
  // Subject → sequence of every message held (the stream keeps one per subject): their count is
  // what the stream should hold once caught up, so a purge under the follower shows.
  const held = new Map<string, number>();
  let rebuild: { reason: RebuildReason; targetSequence: number } | undefined;
  let rebuildRequested: RebuildReason | undefined;
  let loopEnded = false;
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

  const publishGauges = (collection: string): void => {
    if (target === indexes) publishIndexGauges(indexes, metrics, collection); // else when the rebuilt indexes are swapped in
  };

  const applyRecord = (msg: JsMsg): void => {
    const collection = applyKbMessage(target, msg, { metrics, log, live: target === indexes });
    if (collection !== undefined) publishGauges(collection);
  };

  const apply = (msg: JsMsg): void => {
    lastSeq = msg.seq;
    held.set(msg.subject, msg.seq);
    metrics.lastSequence.set(msg.seq);
    // Messages after this one in the stream, as the server counted when delivering it.
    metrics.kbLag.set(msg.info.pending);
    applyRecord(msg);
    if (rebuild && (msg.seq >= rebuild.targetSequence || msg.info.pending === 0)) finishRebuild();
    if (msg.seq >= targetSequence || msg.info.pending === 0) markCaughtUp();
  };

  /** Starts over from the stream's first message, into fresh indexes; the live ones keep serving meanwhile. */
  const beginRebuild = (reason: RebuildReason, info: StreamInfo): void => {
    metrics.rebuilds.inc({ reason });
    log.warn({ reason, sequence: lastSeq, streamLastSequence: info.state.last_seq, streamMessages: info.state.messages, held: held.size }, "knowledge-base stream changed under the follower, rebuilding the indexes");
    streamCreated = info.created;
    target = indexes.emptyLike();
    held.clear();
    lastSeq = 0;
    rebuild = { reason, targetSequence: info.state.messages === 0 ? 0 : info.state.last_seq };
    if (rebuild.targetSequence === 0) finishRebuild();
  };

  const finishRebuild = (): void => {
    const reason = rebuild?.reason;
    rebuild = undefined;
    indexes.replaceWith(target);
    target = indexes;
    metrics.indexDocuments.reset();
    metrics.indexTerms.reset();
    metrics.indexVersion.reset();
    for (const collection of Object.keys(indexes.documentCounts())) publishGauges(collection);
    log.info({ reason, sequence: lastSeq, documents: indexes.documentCounts() }, "knowledge-base indexes rebuilt");
  };

  /** What, if anything, says the stream lost messages under the follower. */
  const driftOf = (info: StreamInfo, sequenceBefore: number): RebuildReason | undefined => {
    if (info.created !== streamCreated) return "recreated";
    if (info.state.last_seq < sequenceBefore) return "reset";
    // Caught up, nothing applied meanwhile: the stream must hold exactly the subjects held here.
    if (sequenceBefore === info.state.last_seq && lastSeq === sequenceBefore && !rebuild && info.state.messages < held.size) return "purged";
    return undefined;
  };

  const open = async (): Promise<ConsumerMessages> => {
    const info = await jsm.streams.info(KB_STREAM);
    const drift = rebuildRequested ?? driftOf(info, lastSeq);
    rebuildRequested = undefined;
    if (drift) beginRebuild(drift, info);
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
        if (rebuildRequested) {
          // Closed on purpose to start over: reopen at once.
          attempt = -1;
          continue;
        }
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
    loopEnded = true;
    if (!caughtUp) rejectCaughtUp(new UnavailableError("the knowledge-base follower stopped before catching up"));
  };

  // Between messages the lag is what the server still holds for the consumer: a follower that has
  // stalled (or a stream that grows faster than it is applied) shows here, not only on the next message.
  // The same tick compares the stream with what the follower holds.
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
    }
    try {
      const before = lastSeq;
      const drift = driftOf(await jsm.streams.info(KB_STREAM), before);
      if (drift && !rebuildRequested && !stopping) {
        rebuildRequested = drift;
        await current?.close();
      }
    } catch (err) {
      log.debug({ err }, "checking the knowledge-base stream failed");
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
    healthy: () => caughtUp && !rebuild && !rebuildRequested && !loopEnded && !stopping,
    isRebuilding: () => rebuild !== undefined || rebuildRequested !== undefined,
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
