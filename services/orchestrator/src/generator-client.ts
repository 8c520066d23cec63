import { randomUUID } from "node:crypto";
import { GenerateReply, Subjects, type GenerateCancel, type GenerateRequest } from "@kbalign/contracts";
import { encodeJson, requestStream, type Log, type NatsConnection } from "@kbalign/nats";
import type { GeneratorPort } from "@kbalign/pipeline";

export interface GeneratorClientOptions {
  /** Longest silence inside a stream before the generator counts as dead (TIMEOUT). */
  idleTimeoutMs: number;
  log: Log;
}

/**
 * GeneratorPort over `kbalign.v1.generate`, yielding the text of each `chunk` reply until `end`.
 * A stream left before its `end` (cancel, deadline, idle timeout, the pipeline moving on) is
 * stopped at the generator too: a GenerateCancel with its streamId goes to every generator
 * replica, so the one running it ends its LLM call instead of generating for nobody.
 */
export function createGeneratorClient(nc: NatsConnection, options: GeneratorClientOptions): GeneratorPort {
  return {
    async *generate(input, { signal, deadline }) {
      const streamId = randomUUID();
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
      try {
        const request: GenerateRequest = { ...input, streamId, deadline };
        const replies = requestStream(nc, Subjects.generate, request, {
          message: GenerateReply,
          isLast: (reply) => reply.type === "end",
          timeoutMs: Math.max(1, deadline - Date.now()),
          idleTimeoutMs: options.idleTimeoutMs,
          signal,
        });
        for await (const reply of replies) {
          if (reply.type === "end") ended = true;
          else yield reply.text;
        }
      } finally {
        signal.removeEventListener("abort", cancel);
        cancel();
      }
    },
  };
}
