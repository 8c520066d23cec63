import { describe, expect, it } from "vitest";
import { CancelledError, CollectionNotFoundError, InternalError, UnavailableError } from "@kbalign/contracts";
import { retry, type RetryOptions } from "./retry.js";

const options = (overrides: Partial<RetryOptions> = {}): RetryOptions => ({
  maxRetries: 2,
  backoff: { baseDelayMs: 1, maxDelayMs: 2 },
  signal: new AbortController().signal,
  deadline: Date.now() + 10_000,
  ...overrides,
});

describe("retry", () => {
  it("returns the first success after retryable failures", async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new UnavailableError("down");
        return "ok";
      },
      options({ onRetry: (info) => delays.push(info.attempt) }),
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
  });

  it("throws the last failure after maxRetries retries", async () => {
    let calls = 0;
    const err = await retry(async () => {
      calls++;
      throw new UnavailableError(`down ${calls}`);
    }, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe("down 3");
  });

  it("does not retry a non-retryable failure, and maps unknown errors to INTERNAL", async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new CollectionNotFoundError("x");
      }, options()),
    ).rejects.toBeInstanceOf(CollectionNotFoundError);
    await expect(
      retry(async () => {
        calls++;
        throw new Error("boom");
      }, options()),
    ).rejects.toBeInstanceOf(InternalError);
    expect(calls).toBe(2);
  });

  it("schedules no retry whose backoff would end past the deadline", async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retry(
        async () => {
          calls++;
          throw new UnavailableError("down");
        },
        options({ maxRetries: 50, backoff: { baseDelayMs: 40, maxDelayMs: 40 }, deadline: Date.now() + 150, random: () => 0.99 }),
      ),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(calls).toBeLessThanOrEqual(4);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("stops waiting with the signal's reason when it aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new CancelledError("stop")), 20);
    const err = await retry(
      async () => {
        throw new UnavailableError("down");
      },
      options({ maxRetries: 5, backoff: { baseDelayMs: 10_000, maxDelayMs: 10_000 }, signal: controller.signal, random: () => 0.5 }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
  });
});
