import type { KV, KvEntry } from "@nats-io/kv";
import { isRuntimeConfigKey, runtimeConfigKeys } from "@kbalign/contracts";
import { parseRuntimeValue } from "@kbalign/orchestrator";
import { CliError } from "../errors.js";

/** One value of the bucket as the CLI shows it. */
export interface ConfigValue {
  key: string;
  value: string;
  revision: number;
  created: Date;
}

/** One change in the bucket's history. */
export interface ConfigChange extends ConfigValue {
  operation: "PUT" | "DEL" | "PURGE";
}

/** Refuses an unknown key or a value its environment variable's schema refuses, with the reason. */
export function validateConfigValue(key: string, value: string): void {
  const parsed = parseRuntimeValue(key, value);
  if (!parsed.ok) throw new CliError(`refused: ${parsed.message}; the value in force is unchanged`);
}

/** Every key set in the bucket, in key order. */
export async function readConfig(kv: KV): Promise<ConfigValue[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const values: ConfigValue[] = [];
  for (const key of keys.sort()) {
    const entry = await kv.get(key);
    if (entry && entry.operation === "PUT") values.push(toValue(entry));
  }
  return values;
}

export async function readConfigValue(kv: KV, key: string): Promise<ConfigValue | undefined> {
  if (!isRuntimeConfigKey(key)) throw new CliError(`unknown key '${key}' (keys: ${runtimeConfigKeys.join(", ")})`);
  const entry = await kv.get(key);
  return entry && entry.operation === "PUT" ? toValue(entry) : undefined;
}

/** Validates, then stores; returns the new revision. */
export async function setConfigValue(kv: KV, key: string, value: string): Promise<number> {
  validateConfigValue(key, value);
  return kv.put(key, value);
}

/** Every change the bucket still holds (up to 64 per key), oldest first. */
export async function readHistory(kv: KV): Promise<ConfigChange[]> {
  const changes: ConfigChange[] = [];
  const iterator = await kv.history();
  for await (const entry of iterator) changes.push({ ...toValue(entry), operation: entry.operation });
  return changes.sort((a, b) => a.revision - b.revision);
}

/** What one key becomes in a rollback: a value, or unset (the environment's value applies). */
export interface RollbackStep {
  key: string;
  from: string | undefined;
  to: string | undefined;
}

/**
 * The changes that bring the bucket back to what it held at `revision` (by default, just before
 * the latest change: an undo). Every value to restore is validated first: if one no longer passes,
 * nothing is written.
 */
export function planRollback(history: readonly ConfigChange[], revision?: number): { revision: number; steps: RollbackStep[] } {
  if (history.length === 0) throw new CliError("the runtime configuration has no history to roll back");
  const latest = history.at(-1)!.revision;
  const target = revision ?? latest - 1;
  const oldest = history[0]!.revision;
  if (target >= latest) throw new CliError(`revision ${target} is not before the latest change (${latest})`);
  if (target < oldest - 1) throw new CliError(`revision ${target} is older than the history kept (oldest change: ${oldest})`);
  const at = (limit: number): Map<string, string> => {
    const state = new Map<string, string>();
    for (const change of history) {
      if (change.revision > limit) break;
      if (change.operation === "PUT") state.set(change.key, change.value);
      else state.delete(change.key);
    }
    return state;
  };
  const now = at(latest);
  const then = at(target);
  const steps: RollbackStep[] = [];
  for (const key of [...new Set([...now.keys(), ...then.keys()])].sort()) {
    if (now.get(key) !== then.get(key)) steps.push({ key, from: now.get(key), to: then.get(key) });
  }
  for (const step of steps) if (step.to !== undefined) validateConfigValue(step.key, step.to);
  return { revision: target, steps };
}

/** Writes a planned rollback: new revisions (the history keeps what is undone). */
export async function applyRollback(kv: KV, steps: readonly RollbackStep[]): Promise<void> {
  for (const step of steps) {
    if (step.to === undefined) await kv.delete(step.key);
    else await kv.put(step.key, step.to);
  }
}

function toValue(entry: KvEntry): ConfigValue {
  return { key: entry.key, value: entry.operation === "PUT" ? entry.string() : "", revision: entry.revision, created: entry.created };
}
