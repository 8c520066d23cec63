import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./prometheus-text.js";
import { readProcesses, resourceUsage, type Scrape, narrowedScrapeUrl } from "./resource-scrape.js";

const url = "http://127.0.0.1:9101/metrics";
const scrape = (atMs: number, processes: Extract<Scrape, { ok: true }>["processes"]): Scrape => ({ url, ok: true, atMs, processes });

describe("readProcesses", () => {
  it("reads RSS and CPU per service label, and names an unlabelled process by its endpoint", () => {
    const { samples } = parsePrometheusText(
      [
        'process_resident_memory_bytes{service="a"} 100',
        'process_cpu_seconds_total{service="a"} 1.5',
        'process_cpu_seconds_total{service="b"} 2',
        "process_resident_memory_bytes 300",
        'process_cpu_user_seconds_total{service="a"} 9',
      ].join("\n"),
    );
    expect(readProcesses(samples, "127.0.0.1:9101")).toEqual([
      { service: "a", rssBytes: 100, cpuSeconds: 1.5 },
      { service: "b", cpuSeconds: 2 },
      { service: "127.0.0.1:9101", rssBytes: 300 },
    ]);
  });
});

describe("resourceUsage", () => {
  it("takes RSS after the run and CPU used between the scrapes as % of one core", () => {
    const before = scrape(1_000, [{ service: "kbalign-retriever", rssBytes: 50, cpuSeconds: 10 }]);
    const after = scrape(5_000, [{ service: "kbalign-retriever", rssBytes: 80, cpuSeconds: 12 }]);
    // 2 CPU seconds over 4 s = 50 % of one core
    expect(resourceUsage(before, after)).toEqual([{ service: "kbalign-retriever", url, rssAfterBytes: 80, cpuSeconds: 2, cpuPercent: 50 }]);
  });

  it("says why a figure is missing: unreachable before or after, a restart, no CPU counter", () => {
    const after = scrape(2_000, [{ service: "s", rssBytes: 80, cpuSeconds: 1 }]);
    expect(resourceUsage({ url, ok: false, problem: "ECONNREFUSED" }, after)).toEqual([
      { service: "s", url, rssAfterBytes: 80, problem: "no CPU figure: unreachable before the run (ECONNREFUSED)" },
    ]);
    expect(resourceUsage(scrape(0, []), { url, ok: false, problem: "HTTP 500" })).toEqual([
      { service: "127.0.0.1:9101", url, problem: "unreachable after the run (HTTP 500)" },
    ]);
    expect(resourceUsage(scrape(0, [{ service: "s", cpuSeconds: 5 }]), after)[0]?.problem).toBe("no CPU figure: the process restarted during the run");
    expect(resourceUsage(scrape(0, [{ service: "s", rssBytes: 1 }]), after)[0]?.problem).toBe("no CPU figure: process_cpu_seconds_total missing");
  });
});

describe("narrowedScrapeUrl", () => {
  it("asks only for CPU (user counter first) and RSS, and leaves a URL with a query of its own alone", () => {
    const narrowed = new URL(narrowedScrapeUrl("http://127.0.0.1:9101/metrics"));
    expect(narrowed.pathname).toBe("/metrics");
    expect(narrowed.searchParams.getAll("name[]")).toEqual(["process_cpu_user_seconds_total", "process_cpu_seconds_total", "process_resident_memory_bytes"]);
    expect(narrowedScrapeUrl("http://127.0.0.1:9101/metrics?x=1")).toBe("http://127.0.0.1:9101/metrics?x=1");
    expect(narrowedScrapeUrl("not a url")).toBe("not a url");
  });
});
