import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, IsolatedCircuitError, circuitBreaker, handleWhen } from "cockatiel";
import { GenerationError, KBAlignError } from "@kbalign/contracts";
import type { Logger } from "@kbalign/telemetry";
import type { FinishReason, GenerationBackend } from "./backend.js";
import { ProviderBackoffError } from "./retry-after.js";

/** The breaker's state as the `kbalign_llm_circuit_state` gauge reports it. */
export const CircuitStateValue = { closed: 0, open: 1, half_open: 2, held: 3 } as const;
export type CircuitStateName = keyof typeof CircuitStateValue;

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failures: number;
  /** How long an open circuit waits before letting one trial call through. */
  cooldownMs: number;
  /** The longest `Retry-After` honoured; a longer one is cut to this. */
  maxRetryAfterMs: number;
  log: Logger;
  onStateChange?: (state: CircuitStateName) => void;
  /** A call refused at once because the circuit is open. */
  onShortCircuit?: () => void;
}

/** The backend's own failures count against it; the caller's cancel or a bad request do not. */
const countsAgainstBackend = (err: unknown): boolean =>
  err instanceof KBAlignError && (err.code === "GENERATION_FAILED" || err.code === "TIMEOUT");

const stateName = (state: CircuitState): CircuitStateName =>
  state === CircuitState.Open ? "open" : state === CircuitState.HalfOpen ? "half_open" : state === CircuitState.Isolated ? "held" : "closed";

/**
 * Wraps an LLM backend in a circuit breaker: after `failures` consecutive failures before the first
 * piece of text (errors, time-outs, a silent server), calls fail at once with a non-retryable
 * GENERATION_FAILED, so the caller answers extractively without waiting, until one trial call after
 * `cooldownMs` succeeds. A server's `Retry-After` holds the circuit open that long. Only the wait
 * for the first piece is guarded: a failure after it cannot be undone by a fallback anyway.
 */
export function withCircuitBreaker(backend: GenerationBackend, options: CircuitBreakerOptions): GenerationBackend {
  const policy = circuitBreaker(handleWhen(countsAgainstBackend), {
    halfOpenAfter: options.cooldownMs,
    breaker: new ConsecutiveBreaker(options.failures),
  });
  policy.onStateChange((state) => {
    const name = stateName(state);
    options.onStateChange?.(name);
    if (name === "open") options.log.warn({ backend: backend.name, cooldownMs: options.cooldownMs }, "llm circuit opened: answering without the LLM until a trial call succeeds");
    else if (name === "closed") options.log.info({ backend: backend.name }, "llm circuit closed: the LLM answers again");
  });

  let hold: { dispose: () => void } | undefined;
  let holdUntil = 0;
  let holdTimer: NodeJS.Timeout | undefined;
  const holdOpen = (ms: number): void => {
    const until = Date.now() + Math.min(ms, options.maxRetryAfterMs);
    if (until <= holdUntil) return;
    holdUntil = until;
    hold ??= policy.isolate();
    clearTimeout(holdTimer);
    holdTimer = setTimeout(() => {
      hold?.dispose();
      hold = undefined;
      holdUntil = 0;
    }, until - Date.now());
    holdTimer.unref();
    options.log.warn({ backend: backend.name, retryAfterMs: until - Date.now() }, "llm asked to wait (Retry-After): answering without it until then");
  };

  return {
    name: backend.name,
    async *generate(req, signal): AsyncGenerator<string, FinishReason, undefined> {
      const pieces = backend.generate(req, signal);
      let first: IteratorResult<string, FinishReason>;
      try {
        first = await policy.execute(() => pieces.next());
      } catch (err) {
        if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
          options.onShortCircuit?.();
          // Never started: returning it runs no request.
          await pieces.return("short-circuited");
          throw new GenerationError(
            err instanceof IsolatedCircuitError ? "the language model asked us to wait: answered without it for now" : "the language model is failing: answered without it for now",
            false,
          );
        }
        if (err instanceof ProviderBackoffError) holdOpen(err.retryAfterMs);
        throw err;
      }
      if (first.done === true) return first.value;
      yield first.value;
      return yield* pieces;
    },
  };
}
