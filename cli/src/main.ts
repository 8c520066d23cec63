#!/usr/bin/env node
// The `kbalign` binary: builds the program (program.ts) and exits with its code.
import { runCli } from "./program.js";
import { processTerminal } from "./terminal.js";

const exitCode = await runCli(process.argv, processTerminal(), process.env);
// Exit explicitly: a NATS connection still retrying in the background (see nats-connection.ts)
// must not keep a finished command alive. stdout/stderr writes are synchronous on files and pipes.
process.exit(exitCode);
