import { describe, expect, it } from "vitest";
import { memoryTerminal } from "../terminal.js";
import { createProgress } from "./progress.js";

describe("createProgress without a TTY", () => {
  it("prints a plain line at most once per interval, and a last line when it printed any", () => {
    let now = 0;
    const terminal = memoryTerminal();
    const progress = createProgress(terminal, { total: 5, lineIntervalMs: 1_000, now: () => now });
    progress.tick();
    now = 1_000;
    progress.tick();
    now = 1_500;
    progress.tick();
    progress.tick();
    progress.tick();
    progress.tick();
    progress.finish();
    expect(terminal.err()).toBe("ingest: 2/5 documents\ningest: 6/6 documents\n");
    expect(terminal.out()).toBe("");
  });

  it("prints nothing for an ingest shorter than one interval (the summary says it all)", () => {
    const terminal = memoryTerminal();
    const progress = createProgress(terminal, { total: 2, now: () => 0 });
    progress.tick();
    progress.tick();
    progress.finish();
    expect(terminal.err()).toBe("");
  });
});
