import { Writable } from "node:stream";

/** Where a command writes: results to `stdout`, progress and diagnostics to `stderr`. */
export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const processTerminal = (): Terminal => ({ stdout: process.stdout, stderr: process.stderr });

/** Writes one line (a newline is added). */
export const writeLine = (stream: NodeJS.WritableStream, line = ""): void => {
  stream.write(`${line}\n`);
};

export interface MemoryTerminal extends Terminal {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

/** A Terminal that keeps what is written, for running commands in-process (tests, embedding). */
export function memoryTerminal(): MemoryTerminal {
  const chunks = { out: [] as string[], err: [] as string[] };
  const stream = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        into.push(chunk.toString());
        done();
      },
    });
  return {
    stdout: stream(chunks.out),
    stderr: stream(chunks.err),
    out: () => chunks.out.join(""),
    err: () => chunks.err.join(""),
  };
}
