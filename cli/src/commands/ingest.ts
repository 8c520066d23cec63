import type { Command } from "commander";
import type { CollectionName } from "@kbalign/contracts";
import { parseCollection, parseNatsUrl } from "../arguments.js";
import type { CommandContext } from "../command-context.js";
import { openDocumentSource } from "../documents/document-source.js";
import { ingestDocuments } from "../ingest/ingest-documents.js";
import { printIngestReport } from "../ingest/ingest-report.js";
import { connectCli } from "../nats-connection.js";

interface IngestFlags {
  collection: CollectionName;
  nats: string;
}

/** `kbalign ingest PATH --collection NAME`: loads files into the knowledge-base stream. */
export function registerIngestCommand(program: Command, ctx: CommandContext): void {
  program
    .command("ingest")
    .description("load documents into a collection: a JSONL file (BEIR corpus.jsonl works as is), .md/.txt files, or a directory of them")
    .argument("<path>", "a .jsonl, .md or .txt file, or a directory (read recursively)")
    .requiredOption("--collection <name>", "collection to load into (^[a-z0-9][a-z0-9_-]{0,63}$)", parseCollection)
    .option("--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL)
    .action(async (path: string, flags: IngestFlags) => {
      // The path is checked before connecting, so a typo fails at once even with NATS down.
      const source = await openDocumentSource(path);
      const nc = await connectCli(flags.nats, "kbalign-cli-ingest");
      try {
        const report = await ingestDocuments(nc, source, { collection: flags.collection, streamReplicas: ctx.config.KBALIGN_JS_REPLICAS }, ctx.terminal);
        printIngestReport(report, ctx.terminal);
        ctx.result.exitCode = report.rejected > 0 ? 1 : 0;
      } finally {
        await nc.close();
      }
    });
}
