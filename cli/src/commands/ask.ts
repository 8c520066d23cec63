import type { Command } from "commander";
import type { CollectionName } from "@kbalign/contracts";
import { parseCollection, parseNatsUrl, parseQuestion, parseText, parseTimeoutMs, parseTopN } from "../arguments.js";
import { askQuestion } from "../ask/ask-question.js";
import { newRequestId, sendCancel } from "../ask/query-stream.js";
import type { CommandContext } from "../command-context.js";
import { CliError } from "../errors.js";
import { connectCli } from "../nats-connection.js";
import { onShutdownSignal } from "../shutdown-signals.js";
import { writeLine } from "../terminal.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";

/** After Ctrl-C, how long to wait for the CANCELLED event before giving up on it. */
const CANCEL_WAIT_MS = 3_000;

interface AskFlags {
  collection: CollectionName;
  topn?: number;
  timeout: number;
  json: boolean;
  system?: string;
  nats: string;
}

/** `kbalign ask "QUESTION" --collection NAME`: one question, its stages printed as they arrive. */
export function registerAskCommand(program: Command, ctx: CommandContext): void {
  program
    .command("ask")
    .description("ask a question and print the pipeline's stages as they arrive (Ctrl-C cancels)")
    .argument("<question>", "the question", parseQuestion)
    .requiredOption("--collection <name>", "collection to answer from", parseCollection)
    .option("--topn <n>", "documents per retrieval, 1-50 (service default: 5)", parseTopN)
    .option("--timeout <ms>", "the whole answer must arrive within this, 100-300000", parseTimeoutMs, 30_000)
    .option("--json", "print each raw event as one JSON line", false)
    .option("--system <text>", "system prompt for the answer", parseText)
    .option("--nats <url>", "NATS server URL (env NATS_URL)", parseNatsUrl, ctx.config.NATS_URL)
    .action(async (question: string, flags: AskFlags) => {
      const nc = await connectCli(flags.nats, "kbalign-cli-ask", ctx.natsAuth);
      const requestId = newRequestId();
      const stopWaiting = new AbortController();
      let waitTimer: NodeJS.Timeout | undefined;
      const removeSignalHandler = onShutdownSignal((_signal, count) => {
        if (count > 1) process.exit(EXIT_INTERRUPTED);
        writeLine(ctx.terminal.stderr, "cancelling… (Ctrl-C again to quit at once)");
        sendCancel(nc, requestId).then(
          () => {
            waitTimer = setTimeout(
              () => stopWaiting.abort(new CliError(`cancel sent, but no CANCELLED event arrived within ${CANCEL_WAIT_MS / 1000} s`)),
              CANCEL_WAIT_MS,
            );
          },
          (err: unknown) => stopWaiting.abort(new CliError(`could not send the cancel: ${err instanceof Error ? err.message : String(err)}`)),
        );
      });
      try {
        const outcome = await askQuestion(
          nc,
          {
            question,
            collection: flags.collection,
            timeoutMs: flags.timeout,
            json: flags.json,
            requestId,
            signal: stopWaiting.signal,
            ...(flags.topn === undefined ? {} : { topn: flags.topn }),
            ...(flags.system === undefined ? {} : { system: flags.system }),
          },
          ctx.terminal,
        );
        ctx.result.exitCode = outcome.exitCode;
      } finally {
        clearTimeout(waitTimer);
        removeSignalHandler();
        await nc.close();
      }
    });
}
