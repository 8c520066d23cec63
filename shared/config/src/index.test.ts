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
});
