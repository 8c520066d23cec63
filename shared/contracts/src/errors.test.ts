import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BadRequestError, badRequestFromZod, ErrorCode, errorClasses, fromWire, InternalError, KBAlignError, toKBAlignError } from "./errors.js";

const catalogue = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

describe("error catalogue", () => {
  it.each(ErrorCode.options)("%s has a class whose code matches, and a row in docs/errors.md", (code) => {
    const error = fromWire({ code, message: "m", retryable: false });
    expect(error).toBeInstanceOf(errorClasses[code]);
    expect(error).toBeInstanceOf(KBAlignError);
    expect(error.code).toBe(code);
    expect(catalogue).toMatch(new RegExp(`^\\| \`${code}\` \\|`, "m"));
  });

  it("documents no code that does not exist", () => {
    const documented = [...catalogue.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...ErrorCode.options].sort());
  });
});

describe("wire round trip", () => {
  it("keeps message, retryable and field", () => {
    const wire = new BadRequestError("invalid request: 'topn': too big", "topn").toWire();
    expect(wire).toEqual({ code: "BAD_REQUEST", message: "invalid request: 'topn': too big", retryable: false, field: "topn" });
    const back = fromWire(wire);
    expect(back).toBeInstanceOf(BadRequestError);
    expect((back as BadRequestError).field).toBe("topn");
  });

  it("keeps retryable of failures whose retryability varies", () => {
    expect(fromWire({ code: "RETRIEVAL_FAILED", message: "x", retryable: true }).retryable).toBe(true);
    expect(fromWire({ code: "GENERATION_FAILED", message: "x", retryable: false }).retryable).toBe(false);
  });
});

describe("toKBAlignError", () => {
  it("hides the text of unknown errors", () => {
    const error = toKBAlignError(new Error("password=hunter2"));
    expect(error).toBeInstanceOf(InternalError);
    expect(error.message).not.toContain("hunter2");
    expect((error.cause as Error).message).toBe("password=hunter2");
  });
});

describe("badRequestFromZod", () => {
  it("names the nested field that failed", () => {
    const schema = z.object({ messages: z.array(z.object({ role: z.enum(["user"]) })) });
    const result = schema.safeParse({ messages: [{ role: "robot" }] });
    expect(result.success).toBe(false);
    const error = badRequestFromZod(result.error!);
    expect(error.field).toBe("messages.0.role");
    expect(error.message).toContain("'messages.0.role'");
  });
});
