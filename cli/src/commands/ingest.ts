import type { Command } from "commander";
import type { CollectionName } from "@kbalign/contracts";
import { parseCollection, parseNatsUrl } from "../arguments.js";
import type { CommandContext } from "../command-context.js";
import { openDocumentSource } from "../documents/document-source.js";
import { ingestDocuments } from "../ingest/ingest-documents.js";
import { printIngestReport } from "../ingest/ingest-report.js";
import { completeVersion } from "../kb/kb-version.js";
import { holdNewCollection, nextVersion, readKbState } from "../kb/kb-state.js";
import { connectCli } from "../nats-connection.js";
import { writeLine } from "../terminal.js";
import { ensureKbStream } from "@kbalign/nats";

interface IngestFlags {
  collection: CollectionName;
  nats: string;
  newVersion?: boolean;
}

/** `kbalign ingest PATH --collection NAME`: loads files into the knowledge-base stream. */
export function registerIngestCommand(program: Command, ctx: CommandContext): void {
  program
    .command("ingest")
    .description("load documents into a collection: a JSONL file (BEIR corpus.jsonl works as is), .md/.txt files, or a directory of them")
    .argument("<path>", "a .jsonl, .md or .txt file, or a directory (read recursively)")
    .requiredOption("--collection <name>", "collection to load into (^[a-z0-9][a-z0-9_-]{0,63}$)", parseCollection)
    .option("--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL)
    .option("--new-version", "load into a new version while the current one keeps serving, then switch to it at once")
    .action(async (path: string, flags: IngestFlags) => {
      // The path is checked before connecting, so a typo fails at once even with NATS down.
      const source = await openDocumentSource(path);
      const nc = await connectCli(flags.nats, "kbalign-cli-ingest");
      try {
        if (!flags.newVersion) {
          const report = await ingestDocuments(nc, source, { collection: flags.collection, streamReplicas: ctx.config.KBALIGN_JS_REPLICAS }, ctx.terminal);
          printIngestReport(report, ctx.terminal);
          ctx.result.exitCode = report.rejected > 0 ? 1 : 0;
          return;
        }
        const jsm = await ensureKbStream(nc, { replicas: ctx.config.KBALIGN_JS_REPLICAS });
        const state = await holdNewCollection(jsm, await readKbState(jsm, flags.collection));
        const version = nextVersion(state);
        const report = await ingestDocuments(nc, source, { collection: flags.collection, version, streamReplicas: ctx.config.KBALIGN_JS_REPLICAS }, ctx.terminal);
        printIngestReport(report, ctx.terminal);
        if (report.rejected > 0) {
          // A version missing documents is not switched to: the one serving stays.
          writeLine(ctx.terminal.stderr, `kbalign: version ${version} of '${flags.collection}' is incomplete (${report.rejected} rejected) and not served; ${state.current > 0 ? `version ${state.current} still serves` : "nothing is served yet"} (\`kbalign kb switch ${flags.collection} ${version}\` serves it anyway)`);
          ctx.result.exitCode = 1;
          return;
        }
        await completeVersion(jsm, flags.collection, version, { documents: report.published, source: path });
        writeLine(ctx.terminal.stdout, `collection '${flags.collection}' now serves version ${version}${state.current > 0 && (state.pointer || state.hasVersionOne) ? ` (was ${state.current})` : ""}`);
        ctx.result.exitCode = 0;
      } finally {
        await nc.close();
      }
    });
}
