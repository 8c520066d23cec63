import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import type { StageEvent } from "@kbalign/contracts";
import { runCli } from "./child-process.js";
import { SERVICE_NAMES, SERVICES } from "./paths.js";
import { answersPing, ask, type AskOptions } from "./query-client.js";
import { until } from "./until.js";

/** Waits until every service answers the services framework's PING; a time-out quotes `explain()` (the processes' output). */
export async function waitForServices(nc: NatsConnection, explain: () => string, timeoutMs = 30_000): Promise<void> {
  await Promise.all(
    SERVICES.map((key) =>
      until(`${SERVICE_NAMES[key]} answers PING`, async () => ((await answersPing(nc, SERVICE_NAMES[key])) ? true : undefined), timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}\n${explain()}`);
      }),
    ),
  );
}

export interface CorpusDocument {
  id: string;
  title?: string;
  text: string;
}

/**
 * Writes `docs` as a BEIR corpus.jsonl (`_id`, `title`, `text`, an ignored `metadata`) in `workDir`
 * and ingests it with `kbalign ingest`; returns the command's result for the caller to check.
 */
export async function ingestCorpus(natsUrl: string, workDir: string, collection: string, docs: readonly CorpusDocument[]) {
  const corpusFile = join(workDir, `${collection}.corpus.jsonl`);
  await writeFile(corpusFile, docs.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text, metadata: {} })).join("\n") + "\n");
  return runCli(["ingest", corpusFile, "--collection", collection, "--nats", natsUrl]);
}

/**
 * Retrievers index the stream asynchronously: waits until asking `request` recalls a document
 * (`recalled` says which one will do; any by default).
 */
export async function untilRecalled(
  nc: NatsConnection,
  request: () => object,
  options: { recalled?: (docId: string) => boolean; timeoutMs?: number; ask?: AskOptions } = {},
): Promise<void> {
  const recalled = options.recalled ?? (() => true);
  await until(
    "the query path answers from the ingested corpus",
    async () => {
      const events: StageEvent[] = await ask(nc, request(), options.ask);
      return events.some((e) => e.state === "recall" && e.docs.some((d) => recalled(d.id))) ? true : undefined;
    },
    options.timeoutMs ?? 20_000,
    200,
  );
}
