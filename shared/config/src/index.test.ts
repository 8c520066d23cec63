import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseEnv, Port, SharedEnv } from "./index.js";

const Env = SharedEnv.extend({ KBALIGN_HTTP_PORT: Port.default(9101), KBALIGN_FLAG: z.stringbool().default(true) });

describe("parseEnv", () => {
  it("applies defaults and coerces", () => {
    const config = parseEnv(Env, { KBALIGN_HTTP_PORT: "0", KBALIGN_FLAG: "false" });
    expect(config).toMatchObject({ NATS_URL: "nats://127.0.0.1:4222", KBALIGN_LOG_LEVEL: "info", KBALIGN_HTTP_PORT: 0, KBALIGN_FLAG: false });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv(Env, { KBALIGN_HTTP_PORT: "" }).KBALIGN_HTTP_PORT).toBe(9101);
  });

  it("lists every bad variable at once", () => {
    const error = (() => {
      try {
        parseEnv(Env, { KBALIGN_HTTP_PORT: "70000", KBALIGN_LOG_LEVEL: "loud" });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(":")[0]).sort()).toEqual(["KBALIGN_HTTP_PORT", "KBALIGN_LOG_LEVEL"]);
  });

  it("has the resource monitor's thresholds, defaulting to 60% of a core and 80% of 1 GiB", () => {
    expect(parseEnv(Env, {})).toMatchObject({
      KBALIGN_CPU_WARN_RATIO: 0.6,
      KBALIGN_MEMORY_LIMIT_BYTES: 1024 ** 3,
      KBALIGN_MEMORY_WARN_RATIO: 0.8,
      KBALIGN_RESOURCE_SAMPLE_MS: 10_000,
      KBALIGN_RESOURCE_WARN_INTERVAL_MS: 60_000,
    });
    expect(parseEnv(Env, { KBALIGN_CPU_WARN_RATIO: "1.5", KBALIGN_MEMORY_LIMIT_BYTES: "536870912" })).toMatchObject({
      KBALIGN_CPU_WARN_RATIO: 1.5,
      KBALIGN_MEMORY_LIMIT_BYTES: 536_870_912,
    });
    expect(() => parseEnv(Env, { KBALIGN_MEMORY_WARN_RATIO: "1.2" })).toThrow(ConfigError);
    expect(() => parseEnv(Env, { KBALIGN_CPU_WARN_RATIO: "0" })).toThrow(ConfigError);
  });

  it("has the JetStream replicas, 1 by default, 1 to 5", () => {
    expect(parseEnv(Env, {}).KBALIGN_JS_REPLICAS).toBe(1);
    expect(parseEnv(Env, { KBALIGN_JS_REPLICAS: "3" }).KBALIGN_JS_REPLICAS).toBe(3);
    for (const bad of ["0", "6", "2.5", "three"]) expect(() => parseEnv(Env, { KBALIGN_JS_REPLICAS: bad }), bad).toThrow(/KBALIGN_JS_REPLICAS/);
  });

  it("has the shutdown's drain timeout and hard-deadline margin, 2 s and 5 s by default, and rejects nonsense", () => {
    expect(parseEnv(Env, {})).toMatchObject({ KBALIGN_SHUTDOWN_DRAIN_TIMEOUT_MS: 2_000, KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: 5_000 });
    expect(parseEnv(Env, { KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: "3000" })).toMatchObject({ KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: 3_000 });
    expect(() => parseEnv(Env, { KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: "0" })).toThrow(ConfigError);
    expect(() => parseEnv(Env, { KBALIGN_SHUTDOWN_DRAIN_TIMEOUT_MS: "-1" })).toThrow(ConfigError);
    expect(() => parseEnv(Env, { KBALIGN_SHUTDOWN_DEADLINE_MARGIN_MS: "soon" })).toThrow(ConfigError);
  });
});
