import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./prometheus-text.js";

// What prom-client 15 served for a registry like the services' (default process and Node.js
// metrics, `service` default label, a histogram, a counter with escapes in a label value).
const sample = readFileSync(fileURLToPath(new URL("./fixtures/retriever-metrics.txt", import.meta.url)), "utf8");

describe("parsePrometheusText on a real prom-client exposition", () => {
  const { samples, problems } = parsePrometheusText(sample);
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  it("reads every sample line and skips HELP/TYPE comments", () => {
    expect(problems).toEqual([]);
    const sampleLines = sample.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
    expect(samples).toHaveLength(sampleLines.length);
    expect(samples.some((s) => s.name.startsWith("#") || s.name === "HELP" || s.name === "TYPE")).toBe(false);
  });

  it("reads the process metrics with their service label", () => {
    expect(find("process_resident_memory_bytes")).toEqual([
      { name: "process_resident_memory_bytes", labels: { service: "kbalign-retriever" }, value: 53_587_968 },
    ]);
    expect(find("process_cpu_seconds_total")).toEqual([{ name: "process_cpu_seconds_total", labels: { service: "kbalign-retriever" }, value: 0.003871 }]);
  });

  it("reads several labels, in any order, and +Inf", () => {
    const buckets = find("kbalign_endpoint_duration_seconds_bucket", { endpoint: "kbalign.v1.retrieve" });
    expect(buckets.map((b) => [b.labels.le, b.value])).toEqual([
      ["0.005", 0],
      ["0.05", 1],
      ["0.5", 1],
      ["+Inf", 1],
    ]);
    expect(buckets[0]?.labels).toEqual({ le: "0.005", service: "kbalign-retriever", endpoint: "kbalign.v1.retrieve", outcome: "ok" });
  });

  it("unescapes quotes, backslashes and newlines in label values", () => {
    const [errors] = find("kbalign_retrieve_errors_total");
    expect(errors?.labels.message).toBe('say "hi"\\ to C:\\temp\nnext line');
    expect(errors?.labels.service).toBe("kbalign-retriever");
    expect(errors?.value).toBe(2);
  });
});

describe("parsePrometheusText on hand-written lines", () => {
  it("accepts no labels, empty labels, a trailing comma, spaces, a timestamp and special values", () => {
    const text = [
      "up 1",
      "a_total{} 2",
      'b{x="1",} 3 1700000000000',
      'c{ x = "a,b}" , y="" } -4.5e-3',
      "d NaN",
      "d2 Nan",
      "e -Inf",
      "f +Inf",
    ].join("\n");
    const { samples, problems } = parsePrometheusText(text);
    expect(problems).toEqual([]);
    expect(samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ["up", {}, 1],
      ["a_total", {}, 2],
      ["b", { x: "1" }, 3],
      ["c", { x: "a,b}", y: "" }, -0.0045],
      ["d", {}, Number.NaN],
      ["d2", {}, Number.NaN],
      ["e", {}, Number.NEGATIVE_INFINITY],
      ["f", {}, Number.POSITIVE_INFINITY],
    ]);
  });

  it("names each bad line and keeps the good ones", () => {
    const text = ["<html>", "ok 1", 'x{a="1} 2', "y{a=1} 2", "z", "w abc", "v 1 2 3"].join("\n");
    const { samples, problems } = parsePrometheusText(text);
    expect(samples).toEqual([{ name: "ok", labels: {}, value: 1 }]);
    expect(problems.map((p) => p.line)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(problems[1]?.reason).toBe("unterminated value of label 'a'");
    expect(problems[2]?.reason).toBe("expected a quoted value for label 'a'");
    expect(problems[4]?.reason).toBe("'abc' is not a number");
  });
});
