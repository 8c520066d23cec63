import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { kbDocumentSubject, kbManifestSubject, kbPointerSubject } from "@kbalign/contracts";
import { IndexRegistry } from "./index-registry.js";
import { applyKbMessage } from "./kb-apply.js";
import { createRetrieverMetrics } from "./metrics.js";

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const message = (subject: string, body: unknown, seq = 1) => ({ subject, data: new TextEncoder().encode(JSON.stringify(body)), seq });

describe("applyKbMessage", () => {
  const metrics = createRetrieverMetrics(new Registry());
  const apply = (indexes: IndexRegistry, subject: string, body: unknown) => applyKbMessage(indexes, message(subject, body), { metrics, log: quiet, live: true });

  it("indexes documents into their version, switches on a pointer, and deletes on a tombstone in that version only", () => {
    const indexes = new IndexRegistry();
    apply(indexes, kbDocumentSubject("kb", "a"), { id: "a", collection: "kb", text: "tides moon" });
    apply(indexes, kbDocumentSubject("kb", "a", 2), { id: "a", collection: "kb", text: "tides sun" });
    expect(apply(indexes, kbManifestSubject("kb", 2), { collection: "kb", version: 2, documents: 1, createdAt: "t" })).toBeUndefined();
    expect(indexes.resolve("kb")?.version).toBe(1);
    expect(apply(indexes, kbPointerSubject("kb"), { collection: "kb", version: 2, previous: 1, switchedAt: "t" })).toBe("kb");
    expect(indexes.get("kb")?.search("sun", 5).map((d) => d.id)).toEqual(["a"]);
    apply(indexes, kbDocumentSubject("kb", "a", 2), { id: "a", collection: "kb", deleted: true });
    expect(indexes.get("kb")?.has("a")).toBe(false);
    expect(indexes.resolve("kb", 1)?.index.has("a")).toBe(true);
  });

  it("serves nothing under a pointer at version 0 (a first version loading)", () => {
    const indexes = new IndexRegistry();
    apply(indexes, kbPointerSubject("new"), { collection: "new", version: 0, switchedAt: "t" });
    apply(indexes, kbDocumentSubject("new", "a"), { id: "a", collection: "new", text: "tides" });
    expect(indexes.resolve("new")).toBeUndefined();
  });

  it("skips an invalid message", () => {
    expect(apply(new IndexRegistry(), kbDocumentSubject("kb", "a"), { id: "a", collection: "kb", text: " " })).toBeUndefined();
  });
});
