import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseDurationSeconds, parseMonitorUrl, parseRate, parseTargetMs } from "./bench-arguments.js";

describe("open-loop flags", () => {
  it("accept positive rates, fractions included", () => {
    expect(parseRate("250")).toBe(250);
    expect(parseRate("0.5")).toBe(0.5);
    expect(parseDurationSeconds("10")).toBe(10);
    expect(parseTargetMs("25")).toBe(25);
  });

  it("refuse zero, negatives, words and absurd values with what is expected", () => {
    for (const raw of ["0", "-5", "fast", "", "1e9"]) expect(() => parseRate(raw)).toThrow(InvalidArgumentError);
    expect(() => parseRate("0")).toThrow(/queries per second above 0/);
    expect(() => parseDurationSeconds("0")).toThrow(/seconds above 0/);
  });

  it("turn nats-server's monitoring URL into its /varz", () => {
    expect(parseMonitorUrl("http://127.0.0.1:8222")).toBe("http://127.0.0.1:8222/varz");
    expect(parseMonitorUrl("http://host:8222/")).toBe("http://host:8222/varz");
    expect(() => parseMonitorUrl("nats://127.0.0.1:4222")).toThrow(/monitoring http\(s\) URL/);
  });
});
