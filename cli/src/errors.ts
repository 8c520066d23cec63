/**
 * Errors the CLI reports to its user as one clear line, with no stack trace: the user can act on
 * the message; a stack would only hide it.
 */
export class CliError extends Error {
  override readonly name: string = "CliError";
  /** Process exit code (1: the command failed). */
  readonly exitCode: number = 1;
}
