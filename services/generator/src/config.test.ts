import { describe, expect, it } from "vitest";
import { ConfigError } from "@kbalign/config";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("defaults to the extractive backend on port 9102", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      KBALIGN_HTTP_PORT: 9102,
      KBALIGN_GENERATOR_BACKEND: "extractive",
      KBALIGN_LLM_TIMEOUT_MS: 30_000,
      KBALIGN_EXTRACTIVE_FIRST_MAX_SENTENCES: 2,
      KBALIGN_EXTRACTIVE_FIRST_MAX_CHARS: 400,
      KBALIGN_EXTRACTIVE_FINAL_MAX_SENTENCES: 5,
      KBALIGN_EXTRACTIVE_FINAL_MAX_CHARS: 1_500,
    });
    expect(config.KBALIGN_LLM_MAX_TOKENS).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads the openai backend's settings", () => {
    const config = loadConfig({
      KBALIGN_GENERATOR_BACKEND: "openai",
      KBALIGN_LLM_BASE_URL: "http://localhost:8000/v1",
      KBALIGN_LLM_MODEL: "qwen2.5-7b-instruct",
      KBALIGN_LLM_API_KEY: "sk-x",
      KBALIGN_LLM_TIMEOUT_MS: "5000",
      KBALIGN_LLM_MAX_TOKENS: "512",
      KBALIGN_HTTP_PORT: "0",
    });
    expect(config).toMatchObject({ KBALIGN_LLM_TIMEOUT_MS: 5_000, KBALIGN_LLM_MAX_TOKENS: 512, KBALIGN_HTTP_PORT: 0 });
  });

  it("refuses the openai backend without a base URL, naming the variable, alongside other problems", () => {
    let error: unknown;
    try {
      loadConfig({ KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_MODEL: "m", KBALIGN_LLM_TIMEOUT_MS: "soon" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.some((p) => p.startsWith("KBALIGN_LLM_BASE_URL:") && p.includes("required when KBALIGN_GENERATOR_BACKEND is openai"))).toBe(true);
    expect(problems.some((p) => p.startsWith("KBALIGN_LLM_TIMEOUT_MS:"))).toBe(true);
  });

  it("refuses the openai backend without a model", () => {
    expect(() => loadConfig({ KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: "http://x:1/v1" })).toThrow(/KBALIGN_LLM_MODEL: required/);
  });

  it("refuses a base URL that is not http(s), an unknown backend and a bad sentence limit", () => {
    expect(() => loadConfig({ KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: "ftp://x/v1", KBALIGN_LLM_MODEL: "m" })).toThrow(/KBALIGN_LLM_BASE_URL/);
    expect(() => loadConfig({ KBALIGN_GENERATOR_BACKEND: "gpt" })).toThrow(/KBALIGN_GENERATOR_BACKEND/);
    expect(() => loadConfig({ KBALIGN_EXTRACTIVE_FINAL_MAX_SENTENCES: "0" })).toThrow(/KBALIGN_EXTRACTIVE_FINAL_MAX_SENTENCES/);
  });

  it("refuses a base URL with credentials in it, without repeating them", () => {
    const env = { KBALIGN_GENERATOR_BACKEND: "openai", KBALIGN_LLM_BASE_URL: "https://bob:s3cret-key@llm.example/v1", KBALIGN_LLM_MODEL: "m" };
    const error = (() => {
      try {
        loadConfig(env);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/KBALIGN_LLM_BASE_URL: must not hold credentials .*KBALIGN_LLM_API_KEY/);
    expect((error as ConfigError).message).not.toContain("s3cret-key");
  });

  it("does not need LLM settings for the extractive backend", () => {
    expect(() => loadConfig({ KBALIGN_GENERATOR_BACKEND: "extractive" })).not.toThrow();
  });
});
