// Property-based: whatever bytes reach kbalign.v1.query, a real orchestrator on a real nats-server
// answers exactly one `error` event, BAD_REQUEST, naming the field at fault (or the payload
// limit), and keeps answering well-formed questions; its heap does not grow with the bad input.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTerminal, StageEvent, Subjects } from "@kbalign/contracts";
import { decodeJson, type NatsConnection } from "@kbalign/nats";
import { answering, ask, startFakeGenerator, startFakeRetriever, twoRecalls, useTestBed } from "./harness.js";

/** Cases per property; KBALIGN_FUZZ_RUNS raises it for a long run (the figures in docs/security.md). */
const RUNS = Number(process.env.KBALIGN_FUZZ_RUNS ?? 150);
const MAX_REQUEST_BYTES = 16_384;
const valid = { query: "How do bees communicate?", collection: "docs", topn: 3 };

/** Publishes raw bytes on the query subject and collects every event until the terminal one. */
async function askRaw(nc: NatsConnection, data: Uint8Array): Promise<StageEvent[]> {
  const inbox = `_INBOX.test.${randomUUID()}`;
  const sub = nc.subscribe(inbox);
  const timer = setTimeout(() => sub.unsubscribe(), 10_000);
  const events: StageEvent[] = [];
  nc.publish(Subjects.query, data, { reply: inbox });
  for await (const msg of sub) {
    events.push(StageEvent.parse(decodeJson(msg.data)));
    if (isTerminal(events.at(-1)!)) break;
  }
  clearTimeout(timer);
  sub.unsubscribe();
  return events;
}

const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

/** A JSON value of any shape, nested up to 3 levels (objects, arrays, strings with control characters, numbers, …). */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const notA = (check: (v: unknown) => boolean) => anyJson.filter((v) => !check(v));

/** One field of a valid request given a value of the wrong type or out of bounds, and the field the error must name. */
const badField: fc.Arbitrary<{ body: Record<string, unknown>; field: string }> = fc.oneof(
  notA((v) => typeof v === "string" && v.trim().length > 0 && v.length <= 8_000).map((query) => ({ body: { ...valid, query }, field: "query" })),
  fc.constant({ body: { ...valid, query: "q".repeat(8_001) }, field: "query" }),
  fc.string({ maxLength: 20 }).filter((s) => !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(s)).map((collection) => ({ body: { ...valid, collection }, field: "collection" })),
  notA((v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 50).filter((v) => v !== null).map((topn) => ({ body: { ...valid, topn }, field: "topn" })),
  notA((v) => Array.isArray(v)).filter((v) => v !== null).map((messages) => ({ body: { ...valid, messages }, field: "messages" })),
  fc.constant({ body: { ...valid, messages: Array.from({ length: 101 }, () => ({ role: "user", content: "hi" })) }, field: "messages" }),
  fc.string({ maxLength: 12 }).filter((r) => !["system", "user", "assistant"].includes(r)).map((role) => ({ body: { ...valid, messages: [{ role, content: "hi" }] }, field: "messages.0.role" })),
  notA((v) => typeof v === "boolean").filter((v) => v !== null).map((stream) => ({ body: { ...valid, stream }, field: "stream" })),
  notA((v) => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 300_000).filter((v) => v !== null).map((timeoutMs) => ({ body: { ...valid, timeoutMs }, field: "timeoutMs" })),
  fc.string({ maxLength: 140 }).filter((s) => !/^[A-Za-z0-9._:-]{1,128}$/.test(s)).map((requestId) => ({ body: { ...valid, requestId }, field: "requestId" })),
);

/** A required field left out. */
const missingField = fc.constantFrom("query", "collection").map((field) => {
  const { [field as "query"]: _dropped, ...body } = valid;
  return { body, field };
});

/** Bytes that are not a JSON object: random bytes, invalid UTF-8, broken JSON, scalars, arrays, deep nesting. */
const notAnObject: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 2_000 }).filter((b) => {
    try {
      const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b));
      return typeof v !== "object" || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  }),
  fc.constant(Uint8Array.of(0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d)),
  fc.string({ maxLength: 200 }).map((s) => encode(`{"query": ${s}`)),
  anyJson.filter((v) => typeof v !== "object" || v === null || Array.isArray(v)).map((v) => encode(JSON.stringify(v))),
  fc.integer({ min: 1_000, max: 20_000 }).map((depth) => encode(`${"[".repeat(depth)}${"]".repeat(depth)}`)),
  fc.integer({ min: 1_000, max: 5_000 }).map((depth) => encode(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`)),
);

describe("bad input on kbalign.v1.query (property-based, real nats-server)", () => {
  const bed = useTestBed();
  const start = async () => {
    await bed.started(startFakeRetriever(bed.fakes, twoRecalls));
    await bed.started(startFakeGenerator(bed.fakes, answering));
    return bed.orchestrator({ KBALIGN_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) });
  };
  const expectOneBadRequest = (events: StageEvent[]) => {
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ seq: 0, state: "error", code: "BAD_REQUEST", retryable: false });
    const event = events[0]!;
    if (event.state !== "error") throw new Error(`expected an error event, got ${event.state}`);
    return event;
  };

  it("names the field at fault: wrong types, out-of-range values, missing fields, with unknown extra fields beside them", async () => {
    await start();
    await fc.assert(
      fc.asyncProperty(fc.oneof(badField, missingField), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !(k in valid) && !["messages", "stream", "timeoutMs", "requestId", "__proto__"].includes(k)), anyJson, { maxKeys: 3 }), async ({ body, field }, extra) => {
        const event = expectOneBadRequest(await askRaw(bed.client, encode({ ...extra, ...body })));
        expect(event).toMatchObject({ field });
      }),
      { numRuns: RUNS },
    );
  });

  it("answers bytes that are not a JSON object, invalid UTF-8 and deep nesting with BAD_REQUEST", async () => {
    await start();
    await fc.assert(
      fc.asyncProperty(notAnObject, async (data) => {
        const event = expectOneBadRequest(await askRaw(bed.client, data));
        if (data.length <= MAX_REQUEST_BYTES) expect(event.value).toMatch(/not valid JSON|expected object|request/);
      }),
      { numRuns: RUNS },
    );
  });

  it("takes a body at the size limit and refuses one byte more, naming the limit", async () => {
    await start();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4_000 }), async (over) => {
        const padded = (bytes: number) => {
          const body = { ...valid, messages: [{ role: "user", content: "" }] };
          const base = encode(body).length;
          // Pad the history with plain text (each character one byte) to the exact size wanted.
          body.messages[0]!.content = "x".repeat(bytes - base);
          return encode(body);
        };
        const atLimit = await askRaw(bed.client, padded(MAX_REQUEST_BYTES));
        expect(atLimit.at(-1)?.state).toBe("done");
        const event = expectOneBadRequest(await askRaw(bed.client, padded(MAX_REQUEST_BYTES + over)));
        expect(event.value).toMatch(new RegExp(`limit of ${MAX_REQUEST_BYTES}`));
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 10)) },
    );
  });

  it("applies the deployment's own limits (KBALIGN_MAX_*), tighter than the protocol's", async () => {
    await bed.started(startFakeRetriever(bed.fakes, twoRecalls));
    await bed.started(startFakeGenerator(bed.fakes, answering));
    await bed.orchestrator({ KBALIGN_MAX_QUERY_CHARS: "30", KBALIGN_MAX_HISTORY_MESSAGES: "1", KBALIGN_MAX_MESSAGE_CHARS: "10", KBALIGN_MAX_TOPN: "3" });
    expect((await ask(bed.client, valid)).at(-1)?.state).toBe("done");
    const refused = async (body: object) => expectOneBadRequest(await askRaw(bed.client, encode({ ...valid, ...body }))).field;
    expect(await refused({ query: "q".repeat(31) })).toBe("query");
    expect(await refused({ topn: 4 })).toBe("topn");
    expect(await refused({ messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }] })).toBe("messages");
    expect(await refused({ messages: [{ role: "user", content: "x".repeat(11) }] })).toBe("messages.0.content");
  });

  it("keeps answering well-formed questions among the bad ones, with its heap flat", async () => {
    await start();
    const heapAfterGc = () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed;
    };
    const before = heapAfterGc();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(notAnObject, badField.map(({ body }) => encode(body))), async (data) => {
        cases++;
        expectOneBadRequest(await askRaw(bed.client, data));
      }),
      { numRuns: RUNS },
    );
    const events = await ask(bed.client, valid);
    expect(events.at(-1)?.state).toBe("done");
    const after = heapAfterGc();
    expect(cases).toBe(RUNS);
    // Generous: what matters is that it does not grow with the number of bad requests.
    expect(after - before).toBeLessThan(64 * 1024 ** 2);
    if (process.env.KBALIGN_FUZZ_REPORT) console.log(JSON.stringify({ cases, heapBeforeBytes: before, heapAfterBytes: after }));
  });
});
