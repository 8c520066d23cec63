import { randomUUID } from "node:crypto";
import { endsGenerateStream, GenerateReply, GenerationError, instanceSubject, KBAlignError, Subjects, type GenerateCancel, type GenerateRequest } from "@kbalign/contracts";
import { bodyBudget, encodeJson, encodeWithinBudget, requestStream, truncateText, type FittedBody, type Log, type NatsConnection } from "@kbalign/nats";
import type { GeneratorPort } from "@kbalign/pipeline";
import type { ReplicaDirectory } from "./replica-directory.js";

export interface GeneratorClientOptions {
  /** Longest silence inside a stream before the generator counts as dead (TIMEOUT). */
  idleTimeoutMs: number;
  log: Log;
  /** Counts a request made to fit max_payload (`kbalign_payload_cuts_total`). */
  onCut?: (fit: "truncated" | "failed") => void;
  /** Chooses the replica of each call (its own subject); without it, the queue group picks. */
  replicas?: ReplicaDirectory;
}

/**
 * GeneratorPort over `kbalign.v1.generate`, yielding the text of each `chunk` reply until the stream
 * ends (an `end`, or a last chunk carrying `finishReason`: asked for with `lastChunkEnds`, it saves a message).
 * Each call goes to the replica the directory picks, in turn, so a retry goes to another replica
 * than the one that failed.
 * A stream left before its `end` (cancel, deadline, idle timeout, the pipeline moving on) is
 * stopped at the generator too: a GenerateCancel with its streamId goes to every generator
 * replica, so the one running it ends its LLM call instead of generating for nobody.
 * A request larger than NATS' max_payload has its document texts cut to fit (longest first,
 * marked); one that cannot fit even so fails at once with a non-retryable GENERATION_FAILED,
 * which the pipeline degrades from like any other generation failure.
 */
export function createGeneratorClient(nc: NatsConnection, options: GeneratorClientOptions): GeneratorPort {
  return {
    async *generate(input, { signal, deadline, firstChunkBy }) {
      const streamId = randomUUID();
      const body = fitGenerateRequest({ ...input, streamId, deadline, lastChunkEnds: true, ...(firstChunkBy === undefined ? {} : { firstChunkBy }) }, bodyBudget(nc), options);
      let ended = false;
      let cancelled = false;
      const cancel = () => {
        if (ended || cancelled) return;
        cancelled = true;
        try {
          nc.publish(Subjects.generateCancel, encodeJson({ streamId } satisfies GenerateCancel));
        } catch (err) {
          // The connection is closed: the generator's own deadline will stop the stream.
          options.log.warn({ err, streamId }, "could not send generate cancel");
        }
      };
      signal.addEventListener("abort", cancel, { once: true });
      const instance = options.replicas?.pick();
      try {
        const replies = requestStream(nc, instance === undefined ? Subjects.generate : instanceSubject(Subjects.generate, instance), body, {
          message: GenerateReply,
          isLast: endsGenerateStream,
          timeoutMs: Math.max(1, deadline - Date.now()),
          // The first chunk is bounded by the pipeline's first-chunk budget, not by the idle timeout.
          firstMessageTimeoutMs: Math.max(1, (firstChunkBy ?? deadline) - Date.now()),
          idleTimeoutMs: options.idleTimeoutMs,
          signal,
        });
        for await (const reply of replies) {
          // The stream has ended at the generator before its last text is handed on: no cancel is due.
          if (endsGenerateStream(reply)) ended = true;
          if (reply.type === "chunk") yield reply.text;
        }
      } catch (err) {
        if (instance !== undefined && err instanceof KBAlignError) options.replicas?.failed(instance, err);
        throw err;
      } finally {
        signal.removeEventListener("abort", cancel);
        cancel();
      }
    },
  };
}

/** The request encoded within `maxBytes`, its document texts cut if need be; GENERATION_FAILED when it cannot fit. */
function fitGenerateRequest(request: GenerateRequest, maxBytes: number, { log, onCut }: GeneratorClientOptions): Uint8Array {
  const build = (cap: number): GenerateRequest => ({ ...request, documents: request.documents.map((doc) => ({ ...doc, text: truncateText(doc.text, cap) })) });
  const longest = request.documents.reduce((most, doc) => Math.max(most, doc.text.length), 0);
  const fitted: FittedBody | undefined = encodeWithinBudget(build, longest, maxBytes);
  if (!fitted) {
    onCut?.("failed");
    throw new GenerationError(`the generate request does not fit the ${maxBytes} bytes a NATS message may carry here (max_payload), even with no document text`, false);
  }
  if (fitted.textCap !== undefined) {
    onCut?.("truncated");
    log.warn({ streamId: request.streamId, purpose: request.purpose, documents: request.documents.length, textCap: fitted.textCap, maxBytes }, "generate request documents cut to fit max_payload");
  }
  return fitted.data;
}
