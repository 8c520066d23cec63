import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { CONFIG_BUCKET, CONFIG_HISTORY } from "@kbalign/contracts";
import type { Log } from "./log.js";

/** Opens the runtime-configuration KV bucket, creating it (with history) if it does not exist. */
export function openConfigBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(CONFIG_BUCKET, { history: CONFIG_HISTORY });
}

/**
 * Turns the bucket's values (key → text) into a service's settings, validating them; a failure
 * names the key at fault when it can. A pure function of the values, so every replica given the
 * same bucket builds the same settings.
 */
export type BuildSettings<S> = (values: Readonly<Record<string, string>>) => { ok: true; settings: S } | { ok: false; key?: string; message: string };

/** The settings in force and the bucket revision they come from (0: nothing read from the bucket). */
export interface SettingsSnapshot<S> {
  settings: S;
  revision: number;
}

export interface RuntimeConfigOptions<S> {
  nc: NatsConnection;
  log: Log;
  build: BuildSettings<S>;
  /** Called after each accepted change (not for the initial read). */
  onApplied?: (snapshot: SettingsSnapshot<S>) => void;
  /** Called for each value refused: the settings in force stay as they were. */
  onRejected?: (rejection: { key: string; revision: number; message: string }) => void;
}

export interface RuntimeConfig<S> {
  /** The settings in force now: read it once per request, so a request runs with one snapshot. */
  current(): SettingsSnapshot<S>;
  /** Stops watching. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Follows the runtime-configuration bucket: reads every key, then applies each change as the
 * server pushes it (a watch, so a change is in force within a round trip). A change is validated
 * together with the values in force (`build`); a value that fails is refused, logged and counted,
 * and the last good settings stay. A key deleted from the bucket goes back to its environment value.
 * Throws if the settings built from the environment alone (no key) are invalid.
 */
export async function watchRuntimeConfig<S>(options: RuntimeConfigOptions<S>): Promise<RuntimeConfig<S>> {
  const { log, build } = options;
  const base = build({});
  if (!base.ok) throw new Error(`invalid configuration: ${base.message}`);
  const kv = await openConfigBucket(options.nc);
  let accepted: Record<string, string> = {};
  let snapshot: SettingsSnapshot<S> = { settings: base.settings, revision: 0 };

  const apply = (entry: KvEntry, initial: boolean): void => {
    const candidate = { ...accepted };
    if (entry.operation === "PUT") candidate[entry.key] = entry.string();
    else delete candidate[entry.key];
    const built = build(candidate);
    if (!built.ok) {
      options.onRejected?.({ key: built.key ?? entry.key, revision: entry.revision, message: built.message });
      log.warn({ key: entry.key, revision: entry.revision, problem: built.message, keptRevision: snapshot.revision }, "runtime configuration value refused, keeping the last good one");
      return;
    }
    accepted = candidate;
    snapshot = { settings: built.settings, revision: Math.max(snapshot.revision, entry.revision) };
    if (!initial) {
      log.info({ key: entry.key, operation: entry.operation, revision: entry.revision }, "runtime configuration applied");
      options.onApplied?.(snapshot);
    }
  };

  // Read what the bucket holds, then watch from the next revision: nothing missed in between (a
  // change made meanwhile is read twice, which applies the same value again).
  const status = await kv.status();
  const lastRevision = status.streamInfo.state.last_seq;
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const entries = (await Promise.all(keys.map((key) => kv.get(key)))).filter((e): e is KvEntry => e !== null);
  for (const entry of entries.sort((a, b) => a.revision - b.revision)) apply(entry, true);
  log.info({ revision: snapshot.revision, keys: Object.keys(accepted).sort() }, "runtime configuration read");

  const watch = await kv.watch({ resumeFromRevision: lastRevision + 1 });
  const following = (async () => {
    for await (const entry of watch) apply(entry, false);
  })().catch((err: unknown) => log.error({ err }, "watching the runtime configuration failed; the last settings stay in force"));

  let stopped: Promise<void> | undefined;
  return {
    current: () => snapshot,
    stop: () =>
      (stopped ??= (async () => {
        watch.stop();
        await following;
      })()),
  };
}
