import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "commander";
import { parseCollection, parseNatsUrl, parseOpsPortBase, parsePort, parseQuestion, parseTimeoutMs, parseTopN } from "./arguments.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from "./program.js";
import { memoryTerminal } from "./terminal.js";

describe("option parsers", () => {
  it("accept valid values", () => {
    expect(parseCollection("scifact_v2-1")).toBe("scifact_v2-1");
    expect(parseTopN("50")).toBe(50);
    expect(parseTimeoutMs("100")).toBe(100);
    expect(parsePort("4222")).toBe(4222);
    expect(parseOpsPortBase("0")).toBe(0);
    expect(parseNatsUrl("nats://a:1, nats://b:2")).toBe("nats://a:1,nats://b:2");
    expect(parseQuestion("  长江有多长？ ")).toBe("长江有多长？");
  });

  it.each([
    ["collection with a dot", () => parseCollection("a.b")],
    ["collection with a wildcard", () => parseCollection("docs>")],
    ["upper-case collection", () => parseCollection("Docs")],
    ["topn 0", () => parseTopN("0")],
    ["topn 51", () => parseTopN("51")],
    ["topn 2.5", () => parseTopN("2.5")],
    ["topn abc", () => parseTopN("abc")],
    ["timeout 99", () => parseTimeoutMs("99")],
    ["timeout 300001", () => parseTimeoutMs("300001")],
    ["port 0", () => parsePort("0")],
    ["port 65536", () => parsePort("65536")],
    ["ops port base 65534", () => parseOpsPortBase("65534")],
    ["URL without scheme", () => parseNatsUrl("127.0.0.1:4222")],
    ["blank question", () => parseQuestion("   ")],
  ])("refuse %s", (_name, parse) => {
    expect(parse).toThrow(InvalidArgumentError);
  });
});

describe("kbalign command line", () => {
  const run = async (...args: string[]) => {
    const terminal = memoryTerminal();
    const code = await runCli(["node", "kbalign", ...args], terminal, {});
    return { code, out: terminal.out(), err: terminal.err() };
  };

  it("exits 2 with the reason for an invalid collection, before reading the path", async () => {
    const { code, err } = await run("ingest", "/does/not/exist", "--collection", "Bad.Name");
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("'--collection <name>' argument 'Bad.Name' is invalid");
    expect(err).not.toContain("does/not/exist");
  });

  it.each([
    [["ingest", "kb"], "required option '--collection <name>' not specified"],
    [["ask", "q", "--collection", "docs", "--topn", "99"], "'--topn <n>' argument '99' is invalid"],
    [["ask", "q", "--collection", "docs", "--timeout", "10"], "'--timeout <ms>' argument '10' is invalid"],
    [["ask", "--collection", "docs"], "missing required argument 'question'"],
    [["up", "--port", "0"], "'--port <n>' argument '0' is invalid"],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("exits 2 for %j", async (args, message) => {
    const { code, err } = await run(...args);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain(message);
  });

  it("prints help and exits 0 for --help", async () => {
    const { code, out } = await run("ask", "--help");
    expect(code).toBe(EXIT_OK);
    expect(out).toContain("--collection <name>");
    expect(out).toContain("--json");
  });

  it("exits 1 with one clear line (no stack trace) for a path that does not exist", async () => {
    const { code, err } = await run("ingest", "/does/not/exist", "--collection", "docs");
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toBe("kbalign: cannot ingest /does/not/exist: no such file or directory\n");
  });

  it("exits 2 when the environment is invalid", async () => {
    const terminal = memoryTerminal();
    const code = await runCli(["node", "kbalign", "ask", "q", "--collection", "d"], terminal, { KBALIGN_LOG_LEVEL: "loud" });
    expect(code).toBe(EXIT_USAGE);
    expect(terminal.err()).toContain("KBALIGN_LOG_LEVEL");
  });
});
