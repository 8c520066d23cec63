import { describe, expect, it } from "vitest";
import { RUNTIME_CONFIG_KEYS } from "@kbalign/contracts";
import { loadConfig, OrchestratorEnv } from "./config.js";
import { parseRuntimeValue, runtimeSettingsBuilder } from "./runtime-settings.js";

describe("runtime settings", () => {
  const base = loadConfig({ KBALIGN_MAX_IN_FLIGHT: "100" });
  const build = runtimeSettingsBuilder(base);

  it("maps every runtime key onto a variable of the orchestrator's environment schema", () => {
    for (const envName of Object.values(RUNTIME_CONFIG_KEYS)) expect(OrchestratorEnv.shape).toHaveProperty(envName);
  });

  it("keeps the environment's values when the bucket is empty", () => {
    const built = build({});
    expect(built).toMatchObject({ ok: true, settings: { config: { KBALIGN_MAX_IN_FLIGHT: 100 }, pipeline: { defaultTopn: 5, maxRetries: 2 } } });
  });

  it("overrides the environment with the bucket's values, parsed as the environment would be", () => {
    const built = build({ "query.defaultTopn": "8", "query.maxInFlight": "7", "retry.maxRetries": "0", "generation.systemPrompt": "Be brief.", "extractive.finalMaxChars": "300" });
    expect(built).toMatchObject({
      ok: true,
      settings: { config: { KBALIGN_MAX_IN_FLIGHT: 7 }, pipeline: { defaultTopn: 8, maxRetries: 0, systemPrompt: "Be brief.", finalMaxChars: 300 } },
    });
  });

  it("refuses a value its variable's schema refuses, naming the key", () => {
    expect(build({ "query.defaultTopn": "51" })).toMatchObject({ ok: false, key: "query.defaultTopn", message: expect.stringContaining("query.defaultTopn") });
    expect(build({ "query.maxInFlight": "many" })).toMatchObject({ ok: false, key: "query.maxInFlight" });
    expect(parseRuntimeValue("retry.maxRetries", " ")).toEqual({ ok: false, message: "retry.maxRetries: must not be empty" });
    expect(parseRuntimeValue("query.topN", "5")).toMatchObject({ ok: false, message: expect.stringContaining("unknown key 'query.topN'") });
  });

  it("ignores keys it does not know", () => {
    expect(build({ "other.setting": "x" })).toMatchObject({ ok: true });
  });
});
