import { InvalidArgumentError, type Command } from "commander";
import { KbVersion, type CollectionName } from "@kbalign/contracts";
import { ensureKbStream, type NatsConnection } from "@kbalign/nats";
import type { JetStreamManager } from "@nats-io/jetstream";
import { parseCollection, parseNatsUrl } from "../arguments.js";
import type { CommandContext } from "../command-context.js";
import { CliError } from "../errors.js";
import { deleteDocument } from "../kb/kb-delete.js";
import { restoreSnapshot } from "../kb/kb-restore.js";
import { snapshotCollection } from "../kb/kb-snapshot.js";
import { knownVersions, readKbState } from "../kb/kb-state.js";
import { rollbackVersion, switchVersion } from "../kb/kb-version.js";
import { connectCli } from "../nats-connection.js";
import { writeLine } from "../terminal.js";

interface NatsFlags {
  nats: string;
}

function parseVersion(raw: string): number {
  const parsed = /^\d+$/.test(raw) ? KbVersion.safeParse(Number(raw)) : undefined;
  if (!parsed?.success) throw new InvalidArgumentError("must be a version number (1, 2, …)");
  return parsed.data;
}

/** Runs `work` on the KB stream's manager, the connection closed afterwards. */
async function withKb<T>(url: string, work: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
  const nc: NatsConnection = await connectCli(url, "kbalign-cli-kb");
  try {
    const jsm = await ensureKbStream(nc).catch((err: unknown) => {
      throw new CliError(`cannot use JetStream: ${err instanceof Error ? err.message : String(err)} (nats-server must run with -js)`);
    });
    return await work(jsm);
  } finally {
    await nc.close();
  }
}

/** `kbalign kb versions|switch|rollback|snapshot|restore|delete`: a collection's versions and documents. */
export function registerKbCommand(program: Command, ctx: CommandContext): void {
  const kb = program.command("kb").description("knowledge-base versions: list, switch, roll back, snapshot, restore, delete a document");
  const out = (line: string) => writeLine(ctx.terminal.stdout, line);
  const natsOption = ["--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL] as const;

  kb.command("versions")
    .description("list a collection's versions, the one served marked with *")
    .argument("<name>", "collection", parseCollection)
    .option(...natsOption)
    .action(async (name: CollectionName, flags: NatsFlags) => {
      const state = await withKb(flags.nats, (jsm) => readKbState(jsm, name));
      const versions = knownVersions(state);
      if (versions.length === 0) throw new CliError(`collection '${name}' holds nothing`);
      out("   version  documents  loaded                    source");
      for (const version of versions) {
        const manifest = state.manifests.find((m) => m.version === version);
        const mark = version === state.current ? "*" : " ";
        out(`${mark} ${String(version).padStart(7)}  ${String(manifest?.documents ?? "-").padStart(9)}  ${(manifest?.createdAt ?? "-").padEnd(24)}  ${manifest?.source ?? ""}`.trimEnd());
      }
    });

  kb.command("switch")
    .description("serve another completely loaded version of a collection (every replica switches at once)")
    .argument("<name>", "collection", parseCollection)
    .argument("<version>", "version number", parseVersion)
    .option(...natsOption)
    .action(async (name: CollectionName, version: number, flags: NatsFlags) => {
      const { changed } = await withKb(flags.nats, (jsm) => switchVersion(jsm, name, version));
      out(changed ? `collection '${name}' now serves version ${version}` : `collection '${name}' already serves version ${version}`);
    });

  kb.command("rollback")
    .description("serve the version served before the last switch")
    .argument("<name>", "collection", parseCollection)
    .option(...natsOption)
    .action(async (name: CollectionName, flags: NatsFlags) => {
      const { from, pointer } = await withKb(flags.nats, (jsm) => rollbackVersion(jsm, name));
      out(`collection '${name}' rolled back from version ${from} to version ${pointer.version}`);
    });

  kb.command("snapshot")
    .description("write the collection's current version to one file (format: docs/rollback.md)")
    .argument("<name>", "collection", parseCollection)
    .argument("<file>", "snapshot file to write")
    .option(...natsOption)
    .action(async (name: CollectionName, file: string, flags: NatsFlags) => {
      const result = await withKb(flags.nats, (jsm) => snapshotCollection(jsm, name, file));
      out(`wrote version ${result.version} of '${name}' (${result.documents} documents, ${result.bytes} bytes) to ${file}`);
    });

  kb.command("restore")
    .description("load a snapshot file as a new version and switch to it; a corrupt or truncated file is refused and nothing changes")
    .argument("<file>", "snapshot file")
    .option("--collection <name>", "restore into this collection instead of the snapshot's", parseCollection)
    .option(...natsOption)
    .action(async (file: string, flags: NatsFlags & { collection?: CollectionName }) => {
      const result = await withKb(flags.nats, (jsm) => restoreSnapshot(jsm, file, flags.collection));
      out(`restored ${result.documents} documents into '${result.collection}' version ${result.version}, now served`);
    });

  kb.command("delete")
    .description("delete one document; every replica stops returning it, including replicas started later")
    .argument("<name>", "collection", parseCollection)
    .argument("<doc-id>", "the document's id (what recall events carry in docs[].id)")
    .option(...natsOption)
    .action(async (name: CollectionName, id: string, flags: NatsFlags) => {
      const versions = await withKb(flags.nats, (jsm) => deleteDocument(jsm, name, id));
      out(`deleted '${id}' from '${name}' (version${versions.length > 1 ? "s" : ""} ${versions.join(", ")})`);
    });
}
