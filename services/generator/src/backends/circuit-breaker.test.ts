import { describe, expect, it } from "vitest";
import { CancelledError, GenerationError, TimeoutError, type GenerateRequest } from "@kbalign/contracts";
import { createLogger } from "@kbalign/telemetry";
import type { FinishReason, GenerationBackend } from "./backend.js";
import { withCircuitBreaker, type CircuitStateName } from "./circuit-breaker.js";
import { ProviderBackoffError } from "./retry-after.js";

const log = createLogger({ service: "generator-test", level: "silent" });
const request = { streamId: "s", purpose: "final_answer", query: "q", messages: [], documents: [], deadline: Date.now() + 60_000 } satisfies GenerateRequest;

/** A backend whose next call does what `behaviour` says; counts the calls that reached it. */
function scripted() {
  const state = { calls: 0, behaviour: "ok" as "ok" | Error };
  const backend: GenerationBackend = {
    name: "openai",
    async *generate(): AsyncGenerator<string, FinishReason, undefined> {
      state.calls++;
      if (state.behaviour !== "ok") throw state.behaviour;
      yield "text";
      return "stop";
    },
  };
  return { backend, state };
}

async function run(backend: GenerationBackend): Promise<string[] | Error> {
  const pieces: string[] = [];
  try {
    for await (const piece of backend.generate(request, new AbortController().signal)) pieces.push(piece);
    return pieces;
  } catch (err) {
    return err as Error;
  }
}

function breaker(options: { failures?: number; cooldownMs?: number; maxRetryAfterMs?: number } = {}) {
  const { backend, state } = scripted();
  const states: CircuitStateName[] = [];
  let shortCircuits = 0;
  const guarded = withCircuitBreaker(backend, {
    failures: options.failures ?? 3,
    cooldownMs: options.cooldownMs ?? 60_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    log,
    onStateChange: (s) => states.push(s),
    onShortCircuit: () => shortCircuits++,
  });
  return { guarded, state, states, shortCircuits: () => shortCircuits };
}

describe("withCircuitBreaker", () => {
  it("passes text through while the backend works", async () => {
    const { guarded, state } = breaker();
    expect(await run(guarded)).toEqual(["text"]);
    expect(state.calls).toBe(1);
  });

  it("opens after consecutive failures: later calls fail at once, non-retryable, without reaching the backend", async () => {
    const { guarded, state, states, shortCircuits } = breaker({ failures: 3 });
    state.behaviour = new GenerationError("HTTP 500", true);
    for (let i = 0; i < 3; i++) expect(await run(guarded)).toMatchObject({ message: "HTTP 500" });
    expect(states).toEqual(["open"]);

    const refused = await run(guarded);
    expect(refused).toBeInstanceOf(GenerationError);
    expect(refused).toMatchObject({ retryable: false, message: "the language model is failing: answered without it for now" });
    expect(state.calls).toBe(3);
    expect(shortCircuits()).toBe(1);
  });

  it("counts time-outs against the backend but not the caller's cancels", async () => {
    const { guarded, state, states } = breaker({ failures: 2 });
    state.behaviour = new CancelledError("caller went away");
    for (let i = 0; i < 5; i++) await run(guarded);
    expect(states).toEqual([]);
    state.behaviour = new TimeoutError("silent past the first-chunk budget");
    await run(guarded);
    await run(guarded);
    expect(states).toEqual(["open"]);
  });

  it("needs consecutive failures: a success in between starts the count again", async () => {
    const { guarded, state, states } = breaker({ failures: 2 });
    state.behaviour = new GenerationError("down", true);
    await run(guarded);
    state.behaviour = "ok";
    await run(guarded);
    state.behaviour = new GenerationError("down", true);
    await run(guarded);
    expect(states).toEqual([]);
  });

  it("lets one trial call through after the cool-down and closes when it succeeds", async () => {
    const { guarded, state, states } = breaker({ failures: 1, cooldownMs: 50 });
    state.behaviour = new GenerationError("down", true);
    await run(guarded);
    expect(await run(guarded)).toMatchObject({ retryable: false });
    await new Promise((resolve) => setTimeout(resolve, 80));
    state.behaviour = "ok";
    expect(await run(guarded)).toEqual(["text"]);
    expect(states).toEqual(["open", "half_open", "closed"]);
    expect(await run(guarded)).toEqual(["text"]);
  });

  it("holds the circuit open for the server's Retry-After, then calls it again", async () => {
    const { guarded, state, states } = breaker({ failures: 100 });
    state.behaviour = new ProviderBackoffError("HTTP 429", 100, false);
    await run(guarded);
    state.behaviour = "ok";
    expect(await run(guarded)).toMatchObject({ message: "the language model asked us to wait: answered without it for now" });
    expect(state.calls).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await run(guarded)).toEqual(["text"]);
    expect(states).toEqual(["held", "closed"]);
  });

  it("caps a Retry-After at maxRetryAfterMs", async () => {
    const { guarded, state } = breaker({ failures: 100, maxRetryAfterMs: 50 });
    state.behaviour = new ProviderBackoffError("HTTP 429", 3_600_000, false);
    await run(guarded);
    state.behaviour = "ok";
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await run(guarded)).toEqual(["text"]);
  });
});
