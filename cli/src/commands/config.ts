import { InvalidArgumentError, type Command } from "commander";
import type { KV } from "@nats-io/kv";
import { runtimeConfigKeys } from "@kbalign/contracts";
import { openConfigBucket } from "@kbalign/nats";
import { parseNatsUrl } from "../arguments.js";
import type { CommandContext } from "../command-context.js";
import { CliError } from "../errors.js";
import { connectCli } from "../nats-connection.js";
import { applyRollback, planRollback, readConfig, readConfigValue, readHistory, setConfigValue } from "../runtime-config/config-store.js";
import { writeLine } from "../terminal.js";

interface NatsFlags {
  nats: string;
}

/** Runs `work` on the KBALIGN_CONFIG bucket, the connection closed afterwards. */
async function withBucket<T>(url: string, work: (kv: KV) => Promise<T>): Promise<T> {
  const nc = await connectCli(url, "kbalign-cli-config");
  try {
    const kv = await openConfigBucket(nc).catch((err: unknown) => {
      throw new CliError(`cannot open the configuration bucket: ${err instanceof Error ? err.message : String(err)} (nats-server must run with -js)`);
    });
    return await work(kv);
  } finally {
    await nc.close();
  }
}

/** A value on one line: quoted, long ones cut (a prompt template may be pages long). */
const shown = (value: string | undefined): string => {
  if (value === undefined) return "(unset)";
  const quoted = JSON.stringify(value);
  return quoted.length > 72 ? `${quoted.slice(0, 69)}…"` : quoted;
};

function parseRevision(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new InvalidArgumentError("must be a revision number (see `kbalign config history`)");
  return Number(raw);
}

/** `kbalign config get [KEY] | set KEY VALUE | history | rollback [--to REVISION]`: the runtime configuration. */
export function registerConfigCommand(program: Command, ctx: CommandContext): void {
  const config = program.command("config").description(`runtime configuration in the KV bucket KBALIGN_CONFIG, applied by running services without a restart (keys: ${runtimeConfigKeys.join(", ")})`);
  const out = (line: string) => writeLine(ctx.terminal.stdout, line);
  const natsOption = ["--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL] as const;

  config
    .command("get")
    .description("print one key's value, or every key set (with its revision)")
    .argument("[key]", "a runtime configuration key")
    .option(...natsOption)
    .action(async (key: string | undefined, flags: NatsFlags) => {
      if (key !== undefined) {
        const value = await withBucket(flags.nats, (kv) => readConfigValue(kv, key));
        if (!value) throw new CliError(`${key} is not set: the services use their environment's value`);
        out(value.value);
        return;
      }
      const values = await withBucket(flags.nats, readConfig);
      const byKey = new Map(values.map((v) => [v.key, v]));
      for (const name of runtimeConfigKeys) {
        const value = byKey.get(name);
        out(`${name.padEnd(26)} ${value ? `${shown(value.value)}  (revision ${value.revision})` : "(unset: environment)"}`);
      }
    });

  config
    .command("set")
    .description("validate and store a value; running services apply it within a second")
    .argument("<key>", "a runtime configuration key")
    .argument("<value>", "the value, as its environment variable would hold it")
    .option(...natsOption)
    .action(async (key: string, value: string, flags: NatsFlags) => {
      const revision = await withBucket(flags.nats, (kv) => setConfigValue(kv, key, value));
      out(`${key} = ${shown(value)} (revision ${revision})`);
    });

  config
    .command("history")
    .description("every change the bucket keeps, oldest first")
    .option(...natsOption)
    .action(async (flags: NatsFlags) => {
      const history = await withBucket(flags.nats, readHistory);
      if (history.length === 0) out("no changes: the services run on their environment");
      for (const change of history) {
        out(`${String(change.revision).padStart(6)}  ${change.created.toISOString()}  ${change.key.padEnd(26)} ${change.operation === "PUT" ? shown(change.value) : "(unset)"}`);
      }
    });

  config
    .command("rollback")
    .description("bring the configuration back to an earlier revision (default: undo the latest change)")
    .option("--to <revision>", "the revision to return to (see `kbalign config history`)", parseRevision)
    .option(...natsOption)
    .action(async (flags: NatsFlags & { to?: number }) => {
      await withBucket(flags.nats, async (kv) => {
        const plan = planRollback(await readHistory(kv), flags.to);
        await applyRollback(kv, plan.steps);
        if (plan.steps.length === 0) out(`nothing to change: the configuration already matches revision ${plan.revision}`);
        for (const step of plan.steps) out(`${step.key}: ${shown(step.from)} -> ${shown(step.to)}`);
        if (plan.steps.length > 0) out(`configuration back to revision ${plan.revision}`);
      });
    });
}
