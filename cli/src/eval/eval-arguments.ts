import { InvalidArgumentError } from "commander";

// Option parsers for `kbalign eval`, in the style of ../arguments.ts: a bad flag is a usage error
// (exit 2) before anything is read or connected.

/** nDCG@10 needs 10 documents per recall; 50 is the query contract's most. */
export const MIN_EVAL_TOPN = 10;
export const MAX_EVAL_TOPN = 50;
const MAX_LIMIT = 10_000_000;
const SPLIT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function integerWithin(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return value;
}

export const parseEvalTopN = (raw: string): number => integerWithin(raw, MIN_EVAL_TOPN, MAX_EVAL_TOPN);

export const parseLimit = (raw: string): number => integerWithin(raw, 1, MAX_LIMIT);

/** A qrels split name: the file `qrels/<split>.tsv`, so no path separators. */
export function parseSplit(raw: string): string {
  const split = raw.trim();
  if (!SPLIT_PATTERN.test(split)) throw new InvalidArgumentError("must be a split name such as test, dev or train (qrels/<split>.tsv)");
  return split;
}
