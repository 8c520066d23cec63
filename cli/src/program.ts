import { Command, CommanderError } from "commander";
import { KBAlignError } from "@kbalign/contracts";
import { ConfigError } from "@kbalign/config";
import type { CommandContext } from "./command-context.js";
import { registerAskCommand } from "./commands/ask.js";
import { registerBenchCommand } from "./commands/bench.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerConfigCommand } from "./commands/config.js";
import { registerIngestCommand } from "./commands/ingest.js";
import { registerKbCommand } from "./commands/kb.js";
import { registerUpCommand } from "./commands/up.js";
import { loadConfig } from "./config.js";
import { CliError } from "./errors.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { writeLine, type Terminal } from "./terminal.js";

export const VERSION = "0.1.0";

export { EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./exit-codes.js";

/**
 * The `kbalign` program. Commander's own exits become exceptions (exitOverride), so the caller
 * decides the exit code and tests can parse a command line without the process ending.
 */
export function createProgram(ctx: CommandContext): Command {
  const program = new Command("kbalign")
    .description("KBAlign retrieval-augmented answering over NATS")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => ctx.terminal.stdout.write(text),
      writeErr: (text) => ctx.terminal.stderr.write(text),
    });
  registerUpCommand(program, ctx);
  registerIngestCommand(program, ctx);
  registerKbCommand(program, ctx);
  registerConfigCommand(program, ctx);
  registerAskCommand(program, ctx);
  registerEvalCommand(program, ctx);
  registerBenchCommand(program, ctx);
  return program;
}

/** Runs one command line (`argv` as process.argv) and returns the process's exit code. */
export async function runCli(argv: readonly string[], terminal: Terminal, env: NodeJS.ProcessEnv): Promise<number> {
  let ctx: CommandContext;
  try {
    ctx = { terminal, config: loadConfig(env), env, result: { exitCode: EXIT_OK } };
  } catch (err) {
    if (err instanceof ConfigError) {
      writeLine(terminal.stderr, `kbalign: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
  try {
    await createProgram(ctx).parseAsync([...argv]);
    return ctx.result.exitCode;
  } catch (err) {
    return reportError(err, ctx);
  }
}

/** One clear line per failure; a stack trace only for a bug, and only when debugging. */
function reportError(err: unknown, ctx: CommandContext): number {
  const { stderr } = ctx.terminal;
  // Commander already printed its message (and help) for usage errors; help/--version exit 0.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (err instanceof CliError) {
    writeLine(stderr, `kbalign: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof KBAlignError) {
    writeLine(stderr, `kbalign: ${err.code}: ${err.message}`);
    return EXIT_FAILURE;
  }
  const debug = ctx.config.KBALIGN_LOG_LEVEL === "debug" || ctx.config.KBALIGN_LOG_LEVEL === "trace";
  writeLine(stderr, `kbalign: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
  if (debug && err instanceof Error && err.stack) writeLine(stderr, err.stack);
  else writeLine(stderr, "(set KBALIGN_LOG_LEVEL=debug for details)");
  return EXIT_FAILURE;
}
