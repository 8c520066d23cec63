import { z } from "zod";

/** Stable, upper-snake-case error codes carried on the wire (pinned by DESIGN.md). */
export const ErrorCode = z.enum([
  "BAD_REQUEST",
  "COLLECTION_NOT_FOUND",
  "TIMEOUT",
  "OVERLOADED",
  "UNAVAILABLE",
  "RETRIEVAL_FAILED",
  "GENERATION_FAILED",
  "CANCELLED",
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** An error as it crosses a process boundary: data, never a stack. */
export const WireError = z.object({
  code: ErrorCode,
  message: z.string(),
  retryable: z.boolean(),
  /** For BAD_REQUEST: the path of the offending field, e.g. `topn` or `messages.0.role`. */
  field: z.string().optional(),
});
export type WireError = z.infer<typeof WireError>;

/**
 * How an internal endpoint replies with an error (with the services framework's
 * `Nats-Service-Error` / `Nats-Service-Error-Code` headers set as well, for `nats micro`).
 */
export const ErrorEnvelope = z.object({ error: WireError });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** Base class of every error kbalign raises on purpose. `retryable` drives retries. */
export abstract class KBAlignError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly retryable: boolean;

  toWire(): WireError {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export class BadRequestError extends KBAlignError {
  override readonly name = "BadRequestError";
  readonly code = "BAD_REQUEST";
  readonly retryable = false;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  override toWire(): WireError {
    return this.field === undefined ? super.toWire() : { ...super.toWire(), field: this.field };
  }
}

export class CollectionNotFoundError extends KBAlignError {
  override readonly name = "CollectionNotFoundError";
  readonly code = "COLLECTION_NOT_FOUND";
  readonly retryable = false;
  constructor(
    readonly collection: string,
    /** The version asked for, when the request named one. */
    readonly version?: number,
  ) {
    super(version === undefined ? `collection '${collection}' not found` : `version ${version} of collection '${collection}' not found`);
  }
}

export class TimeoutError extends KBAlignError {
  override readonly name = "TimeoutError";
  readonly code = "TIMEOUT";
  readonly retryable = true;
}

export class OverloadedError extends KBAlignError {
  override readonly name = "OverloadedError";
  readonly code = "OVERLOADED";
  readonly retryable = true;
}

export class UnavailableError extends KBAlignError {
  override readonly name = "UnavailableError";
  readonly code = "UNAVAILABLE";
  readonly retryable = true;
}

export class RetrievalError extends KBAlignError {
  override readonly name = "RetrievalError";
  readonly code = "RETRIEVAL_FAILED";
  constructor(
    message: string,
    readonly retryable = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class GenerationError extends KBAlignError {
  override readonly name = "GenerationError";
  readonly code = "GENERATION_FAILED";
  constructor(
    message: string,
    readonly retryable = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class CancelledError extends KBAlignError {
  override readonly name = "CancelledError";
  readonly code = "CANCELLED";
  readonly retryable = false;
}

export class InternalError extends KBAlignError {
  override readonly name = "InternalError";
  readonly code = "INTERNAL";
  readonly retryable = false;
}

/** One constructor per code: the catalogue that `fromWire` and the docs test check against. */
export const errorClasses = {
  BAD_REQUEST: BadRequestError,
  COLLECTION_NOT_FOUND: CollectionNotFoundError,
  TIMEOUT: TimeoutError,
  OVERLOADED: OverloadedError,
  UNAVAILABLE: UnavailableError,
  RETRIEVAL_FAILED: RetrievalError,
  GENERATION_FAILED: GenerationError,
  CANCELLED: CancelledError,
  INTERNAL: InternalError,
} as const satisfies Record<ErrorCode, unknown>;

/** Rebuilds the right error class from its wire form, so callers can `instanceof` and read `retryable`. */
export function fromWire(wire: WireError): KBAlignError {
  switch (wire.code) {
    case "BAD_REQUEST":
      return new BadRequestError(wire.message, wire.field);
    case "COLLECTION_NOT_FOUND": {
      const err = new CollectionNotFoundError("");
      err.message = wire.message;
      return err;
    }
    case "RETRIEVAL_FAILED":
      return new RetrievalError(wire.message, wire.retryable);
    case "GENERATION_FAILED":
      return new GenerationError(wire.message, wire.retryable);
    default:
      return new errorClasses[wire.code](wire.message);
  }
}

/**
 * Maps anything thrown to a KBAlignError. Unknown errors become INTERNAL with a generic message:
 * their text may hold internals (paths, secrets), so it is logged, never sent.
 */
export function toKBAlignError(err: unknown): KBAlignError {
  if (err instanceof KBAlignError) return err;
  return new InternalError("internal error", { cause: err });
}

/** Turns a zod failure into a BadRequestError naming the first offending field. */
export function badRequestFromZod(error: z.ZodError, what = "request"): BadRequestError {
  const issue = error.issues[0];
  if (!issue) return new BadRequestError(`invalid ${what}`);
  const field = issue.path.map(String).join(".");
  const where = field === "" ? what : `'${field}'`;
  return new BadRequestError(`invalid ${what}: ${where}: ${issue.message}`, field === "" ? undefined : field);
}
