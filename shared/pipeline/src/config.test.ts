import { describe, expect, it } from "vitest";
import { KBAlignConfigError, parseKBAlignConfig } from "./config.js";

describe("parseKBAlignConfig", () => {
  it("fills in the defaults and freezes the result", () => {
    const config = parseKBAlignConfig();
    expect(config).toEqual({
      stream: true,
      maxRetries: 2,
      retryBaseDelayMs: 25,
      retryMaxDelayMs: 500,
      retrieveTimeoutMs: 2_000,
      firstAnswerTimeoutMs: 8_000,
      firstChunkTimeoutMs: 5_000,
      fallbackReserveMs: 250,
      firstAnswerMaxChars: 1_000,
      queryExpansion: "fused",
      expansionWeight: 0.3,
      expansionMaxTerms: 10,
      extractiveFallbackSentences: 5,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ["maxRetries", { maxRetries: 1.5 }],
    ["retrieveTimeoutMs", { retrieveTimeoutMs: 0 }],
    ["stream", { stream: "yes" }],
    ["systemPrompt", { systemPrompt: "" }],
    ["retryMaxDelayMs", { retryBaseDelayMs: 100, retryMaxDelayMs: 50 }],
    ["max_retries", { max_retries: 3 }],
  ])("names the bad field %s", (field, input) => {
    const err = (() => {
      try {
        parseKBAlignConfig(input);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(KBAlignConfigError);
    expect((err as KBAlignConfigError).field).toBe(field);
    expect((err as Error).message).toContain(field);
  });
});
