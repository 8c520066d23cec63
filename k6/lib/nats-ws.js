// @ts-check
/**
 * The NATS client protocol over a WebSocket, with no dependency: what the k6 scripts use to send
 * kbalign queries (k6 has no NATS client), and what the Node suite tests against a real
 * nats-server's WebSocket listener. Plain ES2020: k6 runs it as is (no TextEncoder there, so UTF-8
 * is handled here too).
 *
 * Protocol: https://docs.nats.io/reference/reference-protocols/nats-protocol
 * (INFO, CONNECT, PUB, HPUB, SUB, UNSUB, MSG, HMSG, PING, PONG, +OK, -ERR).
 */

/** The public query subject and the version of the event contract these helpers read. */
export const QUERY_SUBJECT = "kbalign.v1.query";
const TERMINAL_STATES = ["done", "error"];

/** @param {string} text @returns {Uint8Array} */
export function utf8Encode(text) {
  /** @type {number[]} */
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    // A surrogate pair is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return Uint8Array.from(bytes);
}

/** @param {Uint8Array} bytes @returns {string} */
export function utf8Decode(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = /** @type {number} */ (bytes[i]);
    let code;
    let extra;
    if (b < 0x80) [code, extra] = [b, 0];
    else if (b >= 0xf0) [code, extra] = [b & 7, 3];
    else if (b >= 0xe0) [code, extra] = [b & 15, 2];
    else if (b >= 0xc0) [code, extra] = [b & 31, 1];
    else [code, extra] = [0xfffd, 0];
    for (let k = 1; k <= extra; k++) code = (code << 6) | ((bytes[i + k] ?? 0) & 63);
    i += 1 + extra;
    if (code >= 0x10000) {
      code -= 0x10000;
      out += String.fromCharCode(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
    } else out += String.fromCharCode(code);
  }
  return out;
}

/** @param {Uint8Array} a @param {Uint8Array} b */
function concat(a, b) {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/** The bytes as one ArrayBuffer of their own (what a WebSocket sends as a binary frame). @param {Uint8Array} bytes */
function bufferOf(bytes) {
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** @param {Uint8Array} bytes @param {number} from */
function indexOfCrlf(bytes, from) {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  return -1;
}

/**
 * @typedef {{ status?: number, description?: string, values: Record<string, string[]> }} NatsHeaders
 * @typedef {{ op: "MSG", subject: string, sid: number, reply?: string, headers?: NatsHeaders, data: Uint8Array }} NatsMessage
 * @typedef {{ op: "INFO", info: Record<string, unknown> } | NatsMessage | { op: "PING" } | { op: "PONG" } | { op: "OK" } | { op: "ERR", message: string }} NatsOp
 */

/** `NATS/1.0 503\r\nKey: value\r\n\r\n` → status, description, values (keys as sent). @param {string} text @returns {NatsHeaders} */
export function parseHeaders(text) {
  const lines = text.split("\r\n");
  const first = lines[0] ?? "";
  const match = /^NATS\/1\.0(?: (\d{3})(?: (.*))?)?$/.exec(first);
  if (!match) throw new Error(`bad NATS header block: ${JSON.stringify(first)}`);
  /** @type {NatsHeaders} */
  const headers = { values: {} };
  if (match[1] !== undefined) headers.status = Number(match[1]);
  if (match[2] !== undefined && match[2] !== "") headers.description = match[2];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    (headers.values[key] ??= []).push(line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Splits the server's byte stream into operations. Frames may cut an operation anywhere (even in a
 * multi-byte character): what is incomplete waits for the next push.
 */
export class NatsParser {
  constructor() {
    /** @type {Uint8Array} */
    this.pending = new Uint8Array(0);
  }

  /** @param {Uint8Array | ArrayBuffer | string} chunk @returns {NatsOp[]} */
  push(chunk) {
    const bytes = typeof chunk === "string" ? utf8Encode(chunk) : chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    this.pending = concat(this.pending, bytes);
    /** @type {NatsOp[]} */
    const ops = [];
    let at = 0;
    for (;;) {
      const end = indexOfCrlf(this.pending, at);
      if (end < 0) break;
      const line = utf8Decode(this.pending.subarray(at, end));
      const [verb = "", ...args] = line.split(/\s+/).filter((part) => part !== "");
      const upper = verb.toUpperCase();
      if (upper === "MSG" || upper === "HMSG") {
        const withHeaders = upper === "HMSG";
        // MSG subject sid [reply] size | HMSG subject sid [reply] hdr_size total_size
        const sizes = withHeaders ? 2 : 1;
        if (args.length < 2 + sizes) throw new Error(`bad ${upper} line: ${line}`);
        const total = Number(args[args.length - 1]);
        const headerSize = withHeaders ? Number(args[args.length - 2]) : 0;
        const reply = args.length === 3 + sizes ? args[2] : undefined;
        const start = end + 2;
        if (this.pending.length < start + total + 2) break;
        const payload = this.pending.subarray(start, start + total);
        /** @type {NatsMessage} */
        const message = { op: "MSG", subject: args[0] ?? "", sid: Number(args[1]), data: payload.slice(headerSize) };
        if (reply !== undefined) message.reply = reply;
        if (withHeaders) message.headers = parseHeaders(utf8Decode(payload.subarray(0, headerSize)));
        ops.push(message);
        at = start + total + 2;
        continue;
      }
      at = end + 2;
      if (upper === "PING") ops.push({ op: "PING" });
      else if (upper === "PONG") ops.push({ op: "PONG" });
      else if (upper === "+OK") ops.push({ op: "OK" });
      else if (upper === "-ERR") ops.push({ op: "ERR", message: line.slice(4).trim().replace(/^'|'$/g, "") });
      else if (upper === "INFO") ops.push({ op: "INFO", info: JSON.parse(line.slice(4).trim()) });
      else if (line !== "") throw new Error(`unknown NATS operation: ${line}`);
    }
    this.pending = this.pending.slice(at);
    return ops;
  }
}

/** A unique reply subject (k6 has no crypto.randomUUID in every version: 2 × 52 random bits). */
export function newInbox() {
  const token = () => Math.floor(Math.random() * 2 ** 52).toString(36);
  return `_INBOX.${token()}${token()}`;
}

/**
 * @typedef {{ send(data: string | ArrayBuffer | Uint8Array): void }} SocketLike
 * @typedef {{ name?: string, user?: string, pass?: string, onError?: (message: string) => void }} ClientOptions
 */

/**
 * A NATS connection over `socket` (already open): feed it every frame with `receive`. CONNECT asks
 * for headers and no-responders, so a query to nobody fails in one round trip (status 503).
 */
export class NatsWsClient {
  /** @param {SocketLike} socket @param {ClientOptions} [options] */
  constructor(socket, options = {}) {
    this.socket = socket;
    this.options = options;
    this.parser = new NatsParser();
    this.nextSid = 1;
    /** @type {Map<number, (message: NatsMessage) => void>} */
    this.subscriptions = new Map();
    /** @type {Array<() => void>} */
    this.pongWaiters = [];
    /** @type {Record<string, unknown> | undefined} */
    this.info = undefined;
  }

  /** Sends CONNECT and PING; `onReady` runs at the server's PONG (the CONNECT was accepted). @param {() => void} onReady */
  connect(onReady) {
    /** @type {Record<string, unknown>} */
    const connect = { verbose: false, pedantic: false, lang: "k6-js", version: "1.0.0", protocol: 1, headers: true, no_responders: true, name: this.options.name ?? "kbalign-k6" };
    if (this.options.user !== undefined) connect.user = this.options.user;
    if (this.options.pass !== undefined) connect.pass = this.options.pass;
    this.pongWaiters.push(onReady);
    this.write(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n`);
  }

  /** A round trip to the server: `onPong` runs when everything sent before was processed. @param {() => void} onPong */
  flush(onPong) {
    this.pongWaiters.push(onPong);
    this.write("PING\r\n");
  }

  /** @param {string} subject @param {(message: NatsMessage) => void} handler @returns {number} the sid */
  subscribe(subject, handler) {
    const sid = this.nextSid++;
    this.subscriptions.set(sid, handler);
    this.write(`SUB ${subject} ${sid}\r\n`);
    return sid;
  }

  /** @param {number} sid */
  unsubscribe(sid) {
    if (!this.subscriptions.delete(sid)) return;
    this.write(`UNSUB ${sid}\r\n`);
  }

  /** @param {string} subject @param {string} payload @param {string} [reply] */
  publish(subject, payload, reply) {
    const body = utf8Encode(payload);
    const head = utf8Encode(`PUB ${subject}${reply ? ` ${reply}` : ""} ${body.length}\r\n`);
    this.socket.send(bufferOf(concat(concat(head, body), utf8Encode("\r\n"))));
  }

  /** One WebSocket frame from the server. @param {Uint8Array | ArrayBuffer | string} data */
  receive(data) {
    for (const op of this.parser.push(data)) {
      switch (op.op) {
        case "PING":
          this.write("PONG\r\n");
          break;
        case "PONG":
          this.pongWaiters.shift()?.();
          break;
        case "INFO":
          this.info = op.info;
          break;
        case "MSG":
          this.subscriptions.get(op.sid)?.(op);
          break;
        case "ERR":
          this.options.onError?.(op.message);
          break;
        default:
          break;
      }
    }
  }

  /** @param {string} text */
  write(text) {
    this.socket.send(bufferOf(utf8Encode(text)));
  }
}

/**
 * @typedef {{ requestId: string, state?: string, code?: string, events: number, dataEvents: number, seqProblems: number,
 *   recallMs?: number, firstAnswerMs?: number, firstDataMs?: number, terminalMs?: number, degraded: string[] }} QueryResult
 */

/**
 * Assembles one query's stage events: times each milestone from `startedAt` (ms, the caller's
 * clock), checks `seq` runs 0, 1, 2…, and knows when the terminal event (done or error) came.
 */
export class QueryTracker {
  /** @param {string} requestId @param {number} startedAt */
  constructor(requestId, startedAt) {
    this.startedAt = startedAt;
    /** @type {QueryResult} */
    this.result = { requestId, events: 0, dataEvents: 0, seqProblems: 0, degraded: [] };
  }

  get finished() {
    return this.result.state !== undefined && TERMINAL_STATES.includes(this.result.state);
  }

  /** One reply message at `now`; true when it ended the query. @param {NatsMessage} message @param {number} now */
  accept(message, now) {
    const at = now - this.startedAt;
    const r = this.result;
    if (message.headers?.status === 503 && message.data.length === 0) {
      // No responders: nobody serves kbalign.v1.query.
      return this.end("error", "UNAVAILABLE", at);
    }
    const serviceCode = message.headers?.values["Nats-Service-Error-Code"]?.[0];
    if (message.data.length === 0 && serviceCode !== undefined) return this.end("error", `SERVICE_ERROR_${serviceCode}`, at);
    /** @type {any} */
    let event;
    try {
      event = JSON.parse(utf8Decode(message.data));
    } catch {
      r.seqProblems++;
      r.events++;
      return false;
    }
    if (event === null || typeof event !== "object" || event.seq !== r.events) r.seqProblems++;
    r.events++;
    switch (event?.state) {
      case "recall":
        r.recallMs ??= at;
        return false;
      case "first_answer":
        r.firstAnswerMs ??= at;
        return false;
      case "data":
        r.firstDataMs ??= at;
        r.dataEvents++;
        return false;
      case "done":
        if (Array.isArray(event.degraded)) r.degraded = event.degraded.map((/** @type {any} */ d) => `${d?.stage}:${d?.code}`);
        return this.end("done", undefined, at);
      case "error":
        return this.end("error", typeof event.code === "string" ? event.code : "UNKNOWN", at);
      default:
        return false;
    }
  }

  /** @param {string} state @param {string | undefined} code @param {number} at */
  end(state, code, at) {
    this.result.state = state;
    if (code !== undefined) this.result.code = code;
    this.result.terminalMs = at;
    return true;
  }
}

/**
 * @typedef {{ query: string, collection: string, topn?: number, timeoutMs?: number, requestId?: string }} QueryBody
 */

/**
 * Publishes one query (public contract: `kbalign.v1.query`, events on the reply inbox) and calls
 * `onEnd` once with its result: at the terminal event, or with state `error` and code
 * `CLIENT_TIMEOUT` when `cancelAfter` is called first (the script's timer).
 * @param {NatsWsClient} client @param {QueryBody} body @param {() => number} now @param {(result: QueryResult) => void} onEnd
 * @returns {{ giveUp: () => void }}
 */
export function sendQuery(client, body, now, onEnd) {
  const requestId = body.requestId ?? `k6-${newInbox().slice(7)}`;
  const tracker = new QueryTracker(requestId, now());
  const inbox = newInbox();
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    client.unsubscribe(sid);
    onEnd(tracker.result);
  };
  const sid = client.subscribe(inbox, (message) => {
    if (tracker.accept(message, now())) finish();
  });
  client.publish(QUERY_SUBJECT, JSON.stringify({ ...body, requestId }), inbox);
  return {
    giveUp: () => {
      if (ended) return;
      tracker.end("error", "CLIENT_TIMEOUT", now() - tracker.startedAt);
      finish();
    },
  };
}
