import { isRuntimeConfigKey, RUNTIME_CONFIG_KEYS, type RuntimeConfigKey } from "@kbalign/contracts";
import type { BuildSettings } from "@kbalign/nats";
import { KBAlignConfigError, parseKBAlignConfig, type KBAlignConfig } from "@kbalign/pipeline";
import { OrchestratorEnv, pipelineConfig, type OrchestratorConfig } from "./config.js";

/** What the orchestrator runs with: its environment overridden by the runtime configuration. */
export interface RuntimeSettings {
  /** The environment's config with each runtime key's variable replaced by the bucket's value. */
  config: OrchestratorConfig;
  /** The pipeline's config built from it, validated: what each request runs with. */
  pipeline: Readonly<KBAlignConfig>;
}

/**
 * Validates one runtime value with the schema of the environment variable it overrides (the same
 * zod schema, so the bucket cannot hold what the environment would refuse). Returns the parsed
 * value, or the problem in words.
 */
export function parseRuntimeValue(key: string, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!isRuntimeConfigKey(key)) return { ok: false, message: `unknown key '${key}' (keys: ${Object.keys(RUNTIME_CONFIG_KEYS).join(", ")})` };
  if (text.trim() === "") return { ok: false, message: `${key}: must not be empty` };
  const envName = RUNTIME_CONFIG_KEYS[key];
  const parsed = OrchestratorEnv.shape[envName].safeParse(text);
  if (!parsed.success) return { ok: false, message: `${key}: ${parsed.error.issues[0]?.message ?? "invalid"} (as ${envName})` };
  return { ok: true, value: parsed.data };
}

/** Builds the orchestrator's settings from its environment config and the bucket's values. */
export function runtimeSettingsBuilder(base: OrchestratorConfig): BuildSettings<RuntimeSettings> {
  return (values) => {
    const overrides: Partial<Record<string, unknown>> = {};
    for (const [key, text] of Object.entries(values)) {
      // Keys the orchestrator does not know (written for another component, or by a newer CLI) are left alone.
      if (!isRuntimeConfigKey(key)) continue;
      const parsed = parseRuntimeValue(key, text);
      if (!parsed.ok) return { ok: false, key, message: parsed.message };
      overrides[RUNTIME_CONFIG_KEYS[key as RuntimeConfigKey]] = parsed.value;
    }
    const config: OrchestratorConfig = Object.freeze({ ...base, ...overrides });
    try {
      return { ok: true, settings: { config, pipeline: parseKBAlignConfig(pipelineConfig(config)) } };
    } catch (err) {
      if (err instanceof KBAlignConfigError) return { ok: false, message: err.message };
      throw err;
    }
  };
}
