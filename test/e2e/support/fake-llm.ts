import { once } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A local OpenAI-compatible chat-completions server that streams the way vLLM/OpenAI do: chunked
 * `text/event-stream`, one `data: {chunk}\n\n` per delta, `data: [DONE]\n\n` last. A request whose
 * prompt contains SLOW_MARKER streams slowly (so it can be cancelled midway); others answer at once.
 */
export const SLOW_MARKER = "slowmarker";
/** A question holding this word gets an HTTP 500 whose body names an internal host, as a failing provider might. */
export const FAIL_MARKER = "failmarker";
export const FAIL_BODY = JSON.stringify({ error: { message: "upstream llm-backend-7.internal.example:8443 is over quota" } });

const FAST_ANSWER = ["Grounded ", "in the ", "documents: ", "the answer."];
const SLOW_CHUNKS = 400;
const SLOW_CHUNK_INTERVAL_MS = 50;

export interface LlmRequest {
  body: { model?: string; stream?: boolean; messages?: Array<{ role: string; content: string }> };
  /** The whole body as text, to search in. */
  text: string;
  slow: boolean;
  /** The Authorization header it came with. */
  authorization: string | undefined;
  /** "streaming" until it ends: "finished" (sent [DONE]) or "aborted" (the client went away first). */
  outcome: "streaming" | "finished" | "aborted";
}

export interface FakeLlm {
  /** What KBALIGN_LLM_BASE_URL takes: up to and including /v1. */
  baseUrl: string;
  requests: LlmRequest[];
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  /** Wait this long before answering each request: a slow model, as latency alerts see it. */
  delayMs?: number;
}

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: LlmRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      const request: LlmRequest = {
        body: JSON.parse(text) as LlmRequest["body"],
        text,
        slow: text.includes(SLOW_MARKER),
        authorization: req.headers.authorization,
        outcome: "streaming",
      };
      requests.push(request);
      if (text.includes(FAIL_MARKER)) {
        request.outcome = "finished";
        res.writeHead(500, { "content-type": "application/json" }).end(FAIL_BODY);
        return;
      }
      const aborted = () => {
        if (request.outcome === "streaming") request.outcome = "aborted";
      };
      res.on("close", aborted);
      // A write racing the client's disconnect fails: that is the abort this server records.
      res.on("error", aborted);
      if (options.delayMs) setTimeout(() => void stream(res, request), options.delayMs);
      else void stream(res, request);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function stream(res: ServerResponse, request: LlmRequest): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (delta: object, finishReason: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ id: "chatcmpl-e2e", object: "chat.completion.chunk", created: 1, model: request.body.model ?? "e2e", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
    );
  send({ role: "assistant", content: "" });
  const pieces = request.slow ? Array.from({ length: SLOW_CHUNKS }, (_, i) => `word${i} `) : FAST_ANSWER;
  for (const piece of pieces) {
    if (request.outcome !== "streaming") return;
    if (request.slow) await new Promise((resolve) => setTimeout(resolve, SLOW_CHUNK_INTERVAL_MS));
    send({ content: piece });
  }
  send({}, "stop");
  res.write("data: [DONE]\n\n");
  request.outcome = "finished";
  res.end();
}
