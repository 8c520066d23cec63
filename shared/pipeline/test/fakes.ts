// Scripted in-memory ports for the pipeline's unit tests (no I/O).
import { expect } from "vitest";
import { StageEvent, isTerminal, type Document, type RetrieveRequest } from "@kbalign/contracts";
import type { GenerateOptions, GenerationInput, GeneratorPort, Retrieval, RetrieveOptions, RetrieverPort } from "../src/ports.js";

export const docsA: Document[] = [
  { id: "bees", score: 3, title: "Honey bees", text: "Honey bees communicate the location of flowers with a waggle dance. The dance angle shows the direction." },
  { id: "tides", score: 2, text: "Tides are caused by the pull of the Moon. Spring tides are highest." },
];
export const docsB: Document[] = [
  { id: "dance", score: 5, title: "Waggle dance", text: "The waggle dance tells other bees the distance to food. Its angle encodes direction." },
];

export interface RetrieveCall {
  req: RetrieveRequest;
  opts: RetrieveOptions;
}
export interface GenerateCall {
  req: GenerationInput;
  opts: GenerateOptions;
}

/** A retriever answering each call (numbered from 0) with `script`. */
export function scriptedRetriever(script: (call: number, req: RetrieveRequest, opts: RetrieveOptions) => Promise<Document[] | Retrieval> | Document[] | Retrieval) {
  const calls: RetrieveCall[] = [];
  const port: RetrieverPort = {
    async retrieve(req, opts) {
      calls.push({ req, opts });
      return script(calls.length - 1, req, opts);
    },
  };
  return { port, calls };
}

/** A retriever returning docsA for the first call and docsB for the others. */
export const twoRecalls = () => scriptedRetriever((call) => (call === 0 ? docsA : docsB));

/** A generator whose every call streams `script(call, req, opts)`. */
export function scriptedGenerator(script: (call: number, req: GenerationInput, opts: GenerateOptions) => AsyncIterable<string>) {
  const calls: GenerateCall[] = [];
  const port: GeneratorPort = {
    generate(req, opts) {
      calls.push({ req, opts });
      return script(calls.length - 1, req, opts);
    },
  };
  return { port, calls, of: (purpose: string) => calls.filter((c) => c.req.purpose === purpose) };
}

export async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

export async function* failing(error: Error, ...before: string[]): AsyncGenerator<string> {
  for (const part of before) yield part;
  throw error;
}

/** Never yields, never ends, ignores its signal. */
export async function* hanging(): AsyncGenerator<string> {
  await new Promise(() => undefined);
  yield "never";
}

/** Never yields; ends with the signal's reason once it aborts. */
export async function* untilAborted(signal: AbortSignal): AsyncGenerator<string> {
  await new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  yield "never";
}

/** A generator answering "first answer." then "final " + "answer." per purpose. */
export const answering = () =>
  scriptedGenerator((_, req) => (req.purpose === "first_answer" ? chunks("first ", "answer.") : chunks("final ", "answer.")));

export async function collect(run: AsyncIterable<StageEvent>): Promise<StageEvent[]> {
  const events: StageEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
}

/** The contract every run keeps: valid events, one request id, seq 0..n-1, exactly one terminal, last. */
export function expectWellFormed(events: StageEvent[]): StageEvent {
  expect(events.length).toBeGreaterThan(0);
  for (const event of events) expect(StageEvent.safeParse(event).success).toBe(true);
  expect(new Set(events.map((e) => e.requestId)).size).toBe(1);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  expect(events.filter(isTerminal)).toHaveLength(1);
  const last = events.at(-1)!;
  expect(isTerminal(last)).toBe(true);
  return last;
}

export const states = (events: StageEvent[]) => events.map((e) => e.state);
export const dataText = (events: StageEvent[]) =>
  events.flatMap((e) => (e.state === "data" ? [e.value] : [])).join("");
