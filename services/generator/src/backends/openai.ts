import { createParser } from "eventsource-parser";
import { z } from "zod";
import { CancelledError, GenerationError, KBAlignError, TimeoutError, type GenerateRequest } from "@kbalign/contracts";
import type { Logger } from "@kbalign/telemetry";
import { msUntil } from "../abort.js";
import type { LlmOutcome } from "../metrics.js";
import { buildPrompt } from "../prompt.js";
import type { FinishReason, GenerationBackend } from "./backend.js";
import { parseRetryAfter, ProviderBackoffError } from "./retry-after.js";

export interface OpenAiBackendOptions {
  /** API base up to and including the version, e.g. `http://localhost:8000/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer …` when set; never logged nor put in an error message. */
  apiKey?: string;
  /** Milliseconds allowed to connect and receive the first byte of the answer. */
  firstByteTimeoutMs: number;
  /** Default `max_tokens`; a request's `maxTokens` wins; neither: the server's default. */
  maxTokens?: number;
  log: Logger;
  /** Called once per LLM request with how it ended (for `kbalign_llm_requests_total`). */
  observe?: (outcome: LlmOutcome) => void;
}

/** The longest provider error message quoted in an error (they can be whole HTML pages). */
const MAX_PROVIDER_MESSAGE_CHARS = 500;

// Provider error bodies: OpenAI and vLLM `{"error":{"message"}}`, Ollama `{"error":"…"}`,
// FastAPI-style `{"detail":"…"}`, others `{"message":"…"}`.
const ProviderError = z.union([
  z.object({ error: z.object({ message: z.string() }) }).transform((b) => b.error.message),
  z.object({ error: z.string() }).transform((b) => b.error),
  z.object({ detail: z.string() }).transform((b) => b.detail),
  z.object({ message: z.string() }).transform((b) => b.message),
]);

/** One `data:` event of a streamed chat completion; unknown keys ignored, nulls tolerated. */
const CompletionChunk = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  // Some servers (vLLM, proxies) report a failure inside the stream instead of as an HTTP status.
  error: z.unknown().optional(),
});

const DONE = "[DONE]";

/** HTTP statuses worth retrying: the request itself was fine. */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * A backend that streams from any OpenAI-compatible chat-completions endpoint (vLLM, Ollama,
 * llama.cpp server, OpenAI). Aborting `signal`, passing the request's deadline or waiting longer
 * than `firstByteTimeoutMs` for the first byte aborts the HTTP request itself.
 */
export function createOpenAiBackend(options: OpenAiBackendOptions): GenerationBackend {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  // For logs and messages: the origin never holds credentials, unlike a URL with user:pass@.
  const origin = new URL(url).origin;
  const apiKey = options.apiKey;
  const redact = (text: string): string => (apiKey ? text.split(apiKey).join("[redacted]") : text);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream" };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;

  return {
    name: "openai",
    async *generate(req: GenerateRequest, signal: AbortSignal): AsyncGenerator<string, FinishReason, undefined> {
      const log = options.log.child({ streamId: req.streamId, llm: { origin, model: options.model } });
      const call = new LlmCall(req.deadline, options.firstByteTimeoutMs, signal);
      let outcome: LlmOutcome | undefined;
      let threw = false;
      const started = performance.now();
      try {
        const maxTokens = req.maxTokens ?? options.maxTokens;
        const messages = buildPrompt(req);
        const body = JSON.stringify({ model: options.model, messages, stream: true, ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) });
        log.debug({ messages: messages.length, bodyBytes: body.length }, "llm request");
        let res: Response;
        try {
          res = await fetch(url, { method: "POST", headers, body, signal: call.signal });
        } catch (err) {
          if (call.signal.aborted) throw err;
          outcome = "network_error";
          throw new GenerationError(`cannot reach the LLM server at ${origin}: ${describeNetworkError(err)}`, true, { cause: err });
        }
        if (!res.ok) {
          outcome = "http_error";
          const detail = await providerMessage(res);
          const message = `LLM server at ${origin} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${detail ? `: ${redact(detail)}` : ""}`;
          const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after")) : undefined;
          // Asked to wait: retrying now (here or on another replica) would only be refused again.
          if (retryAfterMs !== undefined) throw new ProviderBackoffError(message, retryAfterMs, false);
          throw new GenerationError(message, isRetryableStatus(res.status));
        }
        if (!res.body || (res.headers.get("content-type") ?? "").includes("application/json")) {
          outcome = "protocol_error";
          const detail = await providerMessage(res);
          throw new GenerationError(`LLM server at ${origin} did not stream its answer${detail ? `: ${redact(detail)}` : ""}`);
        }

        const events: string[] = [];
        const parser = createParser({
          onEvent: (event) => events.push(event.data),
          // The SSE spec says to ignore unknown fields and bad `retry:` values; note them only.
          onError: (err) => log.debug({ sse: { type: err.type } }, "ignored malformed sse field"),
        });
        const decoder = new TextDecoder();
        let finishReason: FinishReason = "stop";
        let pieces = 0;
        let chars = 0;
        try {
          for await (const bytes of res.body) {
            call.gotFirstByte();
            parser.feed(decoder.decode(bytes, { stream: true }));
            for (let data = events.shift(); data !== undefined; data = events.shift()) {
              if (data.trim() === DONE) {
                outcome = "ok";
                log.debug({ pieces, chars, finishReason, durationSeconds: (performance.now() - started) / 1000 }, "llm stream finished");
                return finishReason;
              }
              const chunk = parseChunk(data, redact);
              if (chunk.finishReason) finishReason = chunk.finishReason;
              if (chunk.content) {
                pieces++;
                chars += chunk.content.length;
                yield chunk.content;
              }
            }
          }
        } catch (err) {
          // Checked first: a body read aborted by the first-byte timeout rejects with that GenerationError.
          if (call.signal.aborted) throw err;
          if (err instanceof GenerationError) {
            outcome = "protocol_error";
            throw err;
          }
          outcome = "network_error";
          throw new GenerationError(`the connection to the LLM server at ${origin} broke mid-stream: ${describeNetworkError(err)}`, true, { cause: err });
        }
        outcome = "network_error";
        throw new GenerationError(`the LLM server at ${origin} ended its stream before [DONE] (connection dropped?)`, true);
      } catch (err) {
        threw = true;
        // Not aborted and not classified: a bug, left for the endpoint to report as INTERNAL.
        if (outcome !== undefined || !call.signal.aborted) throw err;
        const reason = call.abortReason();
        outcome = reason instanceof TimeoutError || reason === call.firstByteTimeout ? "timeout" : "cancelled";
        throw reason;
      } finally {
        // Also reached when the consumer stops iterating early: dispose() aborts the HTTP request.
        call.dispose();
        const final = outcome ?? (threw ? undefined : "cancelled");
        if (final !== undefined) {
          if (final !== "ok") log.debug({ outcome: final }, "llm request ended");
          options.observe?.(final);
        }
      }
    },
  };
}

/**
 * The abort signal of one LLM request: the caller's signal, the request deadline, and the
 * connect/first-byte timeout, each aborting with the kbalign error that explains it.
 */
class LlmCall {
  private readonly controller = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;
  private firstByteTimer: NodeJS.Timeout | undefined;
  readonly firstByteTimeout: GenerationError;
  private readonly onCallerAbort: () => void;

  constructor(
    deadline: number,
    firstByteTimeoutMs: number,
    private readonly caller: AbortSignal,
  ) {
    this.firstByteTimeout = new GenerationError(`the LLM server sent nothing within ${firstByteTimeoutMs} ms`, true);
    this.onCallerAbort = () => this.controller.abort(caller.reason);
    if (caller.aborted) this.onCallerAbort();
    else caller.addEventListener("abort", this.onCallerAbort, { once: true });
    this.deadlineTimer = setTimeout(() => this.controller.abort(new TimeoutError("generation deadline passed")), msUntil(deadline));
    this.firstByteTimer = setTimeout(() => this.controller.abort(this.firstByteTimeout), firstByteTimeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  gotFirstByte(): void {
    clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
  }

  /** Why the call was aborted, as a kbalign error. */
  abortReason(): KBAlignError {
    const reason: unknown = this.controller.signal.reason;
    if (reason instanceof KBAlignError) return reason;
    // An abort without a kbalign reason is the caller stopping us: a cancellation.
    return new CancelledError("generation cancelled", { cause: reason });
  }

  dispose(): void {
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.firstByteTimer);
    this.caller.removeEventListener("abort", this.onCallerAbort);
    if (!this.controller.signal.aborted) this.controller.abort(new CancelledError("llm request no longer needed"));
  }
}

function parseChunk(data: string, redact: (text: string) => string): { content?: string; finishReason?: string } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new GenerationError(`the LLM server sent a malformed stream event (not JSON): ${JSON.stringify(redact(data.slice(0, 80)))}`);
  }
  const chunk = CompletionChunk.safeParse(json);
  if (!chunk.success) {
    throw new GenerationError(`the LLM server sent a malformed stream event: ${chunk.error.issues[0]?.message ?? "unexpected shape"}`);
  }
  if (chunk.data.error !== undefined) {
    const message = ProviderError.safeParse({ error: chunk.data.error });
    throw new GenerationError(`the LLM server reported an error mid-stream${message.success ? `: ${redact(truncate(message.data))}` : ""}`);
  }
  const choice = chunk.data.choices?.[0];
  return { content: choice?.delta?.content ?? undefined, finishReason: choice?.finish_reason ?? undefined };
}

/** The provider's own error message from a response body, if it has one. */
async function providerMessage(res: Response): Promise<string | undefined> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    // The body of an error response is best-effort detail: the status alone still explains it.
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ProviderError.safeParse(json);
  return parsed.success ? truncate(parsed.data) : undefined;
}

const truncate = (text: string): string =>
  text.length > MAX_PROVIDER_MESSAGE_CHARS ? `${text.slice(0, MAX_PROVIDER_MESSAGE_CHARS)}…` : text;

/** fetch() hides the reason in `cause` (ECONNREFUSED, UND_ERR_SOCKET, …). */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}
