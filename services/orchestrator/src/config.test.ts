import { describe, expect, it } from "vitest";
import { ConfigError } from "@kbalign/config";
import { KBAlign } from "@kbalign/pipeline";
import { loadConfig, pipelineConfig } from "./config.js";

const ports = { retrieve: async () => [] }, gen = { generate: async function* () {} };

describe("loadConfig", () => {
  it("has defaults for everything", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NATS_URL: "nats://127.0.0.1:4222",
      KBALIGN_HTTP_PORT: 9103,
      KBALIGN_ADMISSION_TARGET_MS: 30,
      KBALIGN_ADMISSION_MIN_IN_FLIGHT: 4,
      KBALIGN_ADMISSION_MAX_IN_FLIGHT: 1_024,
      KBALIGN_REPLICA_REFRESH_MS: 2_000,
      KBALIGN_REPLICA_AVOID_MS: 3_000,
      KBALIGN_MAX_REQUEST_BYTES: 262_144,
      KBALIGN_GENERATE_IDLE_TIMEOUT_MS: 10_000,
      KBALIGN_SHUTDOWN_GRACE_MS: 10_000,
    });
    // Unset: the in-flight limit adapts to the measured latency.
    expect(config.KBALIGN_MAX_IN_FLIGHT).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("lists every bad variable at once", () => {
    const err = (() => {
      try {
        loadConfig({ KBALIGN_MAX_IN_FLIGHT: "0", KBALIGN_HTTP_PORT: "http", KBALIGN_MAX_RETRIES: "99" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join("\n");
    for (const name of ["KBALIGN_MAX_IN_FLIGHT", "KBALIGN_HTTP_PORT", "KBALIGN_MAX_RETRIES"]) expect(problems).toContain(name);
  });
});

describe("pipelineConfig", () => {
  it("keeps the pipeline's defaults for unset variables", () => {
    const kb = new KBAlign(ports, gen, pipelineConfig(loadConfig({})));
    expect(kb.config).toMatchObject({ maxRetries: 2, retrieveTimeoutMs: 2_000, firstAnswerTimeoutMs: 8_000, queryExpansion: "fused" });
    expect(kb.config.systemPrompt).toBeUndefined();
  });

  it("passes the set variables through", () => {
    const env = {
      KBALIGN_MAX_RETRIES: "0",
      KBALIGN_RETRIEVE_TIMEOUT_MS: "150",
      KBALIGN_FIRST_ANSWER_TIMEOUT_MS: "900",
      KBALIGN_SYSTEM_PROMPT: "Be brief.",
      KBALIGN_PROMPT_TEMPLATE: "{documents}\n{query}",
      KBALIGN_QUERY_EXPANSION: "weighted",
      KBALIGN_EXPANSION_WEIGHT: "0.5",
      KBALIGN_EXPANSION_MAX_TERMS: "20",
    };
    const kb = new KBAlign(ports, gen, pipelineConfig(loadConfig(env)));
    expect(kb.config).toMatchObject({
      maxRetries: 0,
      retrieveTimeoutMs: 150,
      firstAnswerTimeoutMs: 900,
      systemPrompt: "Be brief.",
      promptTemplate: "{documents}\n{query}",
      queryExpansion: "weighted",
      expansionWeight: 0.5,
      expansionMaxTerms: 20,
    });
  });
});
