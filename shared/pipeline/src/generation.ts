import { TimeoutError } from "@kbalign/contracts";
import { abortable, deadlineSignal, linkedController, type LinkedController } from "./abort.js";
import { retryOptions, type CallContext } from "./call-context.js";
import { notifySafely } from "./observer.js";
import type { GenerationInput, GeneratorPort } from "./ports.js";
import { retry } from "./retry.js";

/**
 * One generation as a stream of chunks. Retryable failures are retried only until the first chunk
 * arrives: after that the chunks may have reached the client, and a second answer cannot be
 * spliced onto the first. The first chunk, retries included, must arrive by `firstChunkBy` (the
 * first-chunk budget): a generator that stays silent past it fails with TIMEOUT while the caller
 * still has time to fall back. Every wait is abortable, so a port that ignores its signal cannot
 * hold the request; a stream left early is closed and its signal aborted, so the port stops working.
 */
export async function* generateWithRetry(
  generator: GeneratorPort,
  input: GenerationInput,
  ctx: CallContext,
  firstChunkBy: number = ctx.deadline,
): AsyncGenerator<string, void, undefined> {
  const budgetMs = Math.max(0, Math.round(firstChunkBy - Date.now()));
  const opening = deadlineSignal(ctx.signal, Math.min(firstChunkBy, ctx.deadline), () => new TimeoutError(`the generator sent no text within ${budgetMs} ms`));
  let opened;
  try {
    opened = await retry(async () => {
      const link = linkedController(ctx.signal);
      const reader = openReader(generator, input, ctx, link, opening.deadline);
      try {
        return { link, reader, first: await abortable(reader.next(), opening.signal) };
      } catch (err) {
        reader.abandon(err);
        throw err;
      }
    }, retryOptions({ ...ctx, signal: opening.signal, deadline: opening.deadline }, "generate"));
  } finally {
    opening.dispose();
  }

  const { reader, link } = opened;
  let step = opened.first;
  try {
    while (step.done !== true) {
      yield step.value;
      step = await reader.next();
    }
  } catch (err) {
    reader.abandon(err);
    throw err;
  } finally {
    // Reached when the consumer stops early too: the stream is then still open.
    if (step.done !== true) reader.abandon(new Error("generation stream closed by the pipeline"));
    link.dispose();
  }
}

interface Reader {
  next(): Promise<IteratorResult<string, unknown>>;
  /** Aborts the port's signal and closes its iterator, without waiting for either. */
  abandon(reason: unknown): void;
}

function openReader(generator: GeneratorPort, input: GenerationInput, ctx: CallContext, link: LinkedController, firstChunkBy: number): Reader {
  // Inside the stage's span: a streamed port sends its request on the first next(), not on generate().
  const iterator = ctx.span.run(() => generator.generate(input, { signal: link.signal, deadline: ctx.deadline, firstChunkBy })[Symbol.asyncIterator]());
  let finished = false;
  return {
    async next() {
      const step = await abortable(ctx.span.run(() => iterator.next()), link.signal);
      if (step.done === true) finished = true;
      return step;
    },
    abandon(reason) {
      link.abort(reason);
      link.dispose();
      if (finished) return;
      finished = true;
      // Not awaited: an async generator queues return() behind a pending next(), which a port
      // ignoring its signal might never settle.
      iterator.return?.()?.then(undefined, (error: unknown) =>
        notifySafely(() => ctx.observer.onCleanupError?.({ requestId: ctx.requestId, error })),
      );
    },
  };
}
