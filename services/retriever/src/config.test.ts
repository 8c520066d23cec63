import { describe, expect, it } from "vitest";
import { ConfigError } from "@kbalign/config";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("fills the defaults", () => {
    expect(loadConfig({})).toMatchObject({
      NATS_URL: "nats://127.0.0.1:4222",
      KBALIGN_HTTP_PORT: 9101,
      KBALIGN_BM25_K1: 0.9,
      KBALIGN_BM25_B: 0.9,
      KBALIGN_BM25_TITLE_WEIGHT: 0.2,
      KBALIGN_KB_PULL_EXPIRES_MS: 5_000,
      KBALIGN_KB_LAG_CHECK_MS: 5_000,
      KBALIGN_RETRIEVE_CACHE_ENTRIES: 10_000,
      KBALIGN_RETRIEVE_CACHE_MAX_BYTES: 64 * 1024 * 1024,
    });
  });

  it("reads numbers from strings and freezes the result", () => {
    const config = loadConfig({ KBALIGN_HTTP_PORT: "0", KBALIGN_BM25_K1: "1.2", KBALIGN_BM25_B: "0.75" });
    expect(config).toMatchObject({ KBALIGN_HTTP_PORT: 0, KBALIGN_BM25_K1: 1.2, KBALIGN_BM25_B: 0.75 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("lists every bad variable at once", () => {
    let error: unknown;
    try {
      loadConfig({ KBALIGN_BM25_K1: "fast", KBALIGN_BM25_B: "2", KBALIGN_HTTP_PORT: "70000", KBALIGN_RETRIEVE_CACHE_ENTRIES: "-1" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain("KBALIGN_BM25_K1");
    expect(problems).toContain("KBALIGN_BM25_B");
    expect(problems).toContain("KBALIGN_HTTP_PORT");
    expect(problems).toContain("KBALIGN_RETRIEVE_CACHE_ENTRIES");
  });
});
