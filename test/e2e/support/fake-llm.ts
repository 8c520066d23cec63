import { once } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A local OpenAI-compatible chat-completions server that streams the way vLLM/OpenAI do: chunked
 * `text/event-stream`, one `data: {chunk}\n\n` per delta, `data: [DONE]\n\n` last. A request whose
 * prompt contains SLOW_MARKER streams slowly (so it can be cancelled midway); others answer at once.
 */
export const SLOW_MARKER = "slowmarker";

const FAST_ANSWER = ["Grounded ", "in the ", "documents: ", "the answer."];
const SLOW_CHUNKS = 400;
const SLOW_CHUNK_INTERVAL_MS = 50;

export interface LlmRequest {
  body: { model?: string; stream?: boolean; messages?: Array<{ role: string; content: string }> };
  /** The whole body as text, to search in. */
  text: string;
  slow: boolean;
  /** "streaming" until it ends: "finished" (sent [DONE]) or "aborted" (the client went away first). */
  outcome: "streaming" | "finished" | "aborted";
}

/**
 * How the server answers the next requests: `ok` streams the answer; `slow-first-token` does so after
 * SLOW_FIRST_TOKEN_MS; `hang` sends nothing at all; `http500` and `http429` (with `Retry-After: 1`)
 * fail; `drop-mid-stream` closes the connection after the first delta; `garbage` streams an event that
 * is not JSON.
 */
export type LlmMode = "ok" | "slow-first-token" | "hang" | "http500" | "http429" | "drop-mid-stream" | "garbage";
export const SLOW_FIRST_TOKEN_MS = 300;

export interface FakeLlm {
  /** What KBALIGN_LLM_BASE_URL takes: up to and including /v1. */
  baseUrl: string;
  requests: LlmRequest[];
  mode: LlmMode;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  /** Wait this long before answering each request: a slow model, as latency alerts see it. */
  delayMs?: number;
}

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: LlmRequest[] = [];
  const sockets = new Set<Socket>();
  const fake: FakeLlm = {
    baseUrl: "",
    requests,
    mode: "ok",
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      const request: LlmRequest = { body: JSON.parse(text) as LlmRequest["body"], text, slow: text.includes(SLOW_MARKER), outcome: "streaming" };
      requests.push(request);
      const aborted = () => {
        if (request.outcome === "streaming") request.outcome = "aborted";
      };
      res.on("close", aborted);
      // A write racing the client's disconnect fails: that is the abort this server records.
      res.on("error", aborted);
      switch (fake.mode) {
        case "hang":
          return;
        case "http500":
          res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "The server had an error\nwhile processing your request." } }));
          return;
        case "http429":
          res.writeHead(429, { "content-type": "application/json", "retry-after": "1" }).end(JSON.stringify({ error: { message: "Rate limit reached" } }));
          return;
        default: {
          const delayMs = fake.mode === "slow-first-token" ? SLOW_FIRST_TOKEN_MS : options.delayMs;
          if (delayMs) setTimeout(() => void stream(res, request, fake.mode), delayMs);
          else void stream(res, request, fake.mode);
        }
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  fake.baseUrl = `http://127.0.0.1:${port}/v1`;
  return fake;
}

async function stream(res: ServerResponse, request: LlmRequest, mode: LlmMode): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (delta: object, finishReason: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ id: "chatcmpl-e2e", object: "chat.completion.chunk", created: 1, model: request.body.model ?? "e2e", choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
    );
  send({ role: "assistant", content: "" });
  if (mode === "garbage") {
    res.write("data: <html>502 Bad Gateway</html>\n\n");
    res.end();
    return;
  }
  const pieces = request.slow ? Array.from({ length: SLOW_CHUNKS }, (_, i) => `word${i} `) : FAST_ANSWER;
  for (const piece of pieces) {
    if (request.outcome !== "streaming") return;
    if (request.slow) await new Promise((resolve) => setTimeout(resolve, SLOW_CHUNK_INTERVAL_MS));
    send({ content: piece });
    if (mode === "drop-mid-stream") {
      // Let the first delta reach the client, then cut the connection.
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.socket?.destroy();
      return;
    }
  }
  send({}, "stop");
  res.write("data: [DONE]\n\n");
  request.outcome = "finished";
  res.end();
}
