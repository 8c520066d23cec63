import { describe, expect, it } from "vitest";
import { kbDocumentSubject, kbManifestSubject, kbPointerSubject } from "@kbalign/contracts";
import { parseKbMessage } from "./kb-message.js";

const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const subject = kbDocumentSubject("docs", "d1");

describe("parseKbMessage", () => {
  it("accepts a valid document and strips unknown keys", () => {
    const result = parseKbMessage(subject, encode({ id: "d1", collection: "docs", title: "T", text: "body", extra: 1 }));
    expect(result).toEqual({ ok: true, kind: "document", version: 1, document: { id: "d1", collection: "docs", title: "T", text: "body" } });
  });

  it("reads the version from the subject", () => {
    const result = parseKbMessage(kbDocumentSubject("docs", "d1", 4), encode({ id: "d1", collection: "docs", text: "body" }));
    expect(result).toMatchObject({ ok: true, kind: "document", version: 4 });
  });

  it("reads a tombstone, a pointer and a manifest", () => {
    expect(parseKbMessage(kbDocumentSubject("docs", "d1", 2), encode({ id: "d1", collection: "docs", deleted: true }))).toMatchObject({
      ok: true,
      kind: "tombstone",
      version: 2,
      tombstone: { id: "d1" },
    });
    expect(parseKbMessage(kbPointerSubject("docs"), encode({ collection: "docs", version: 3, switchedAt: "t" }))).toMatchObject({
      ok: true,
      kind: "pointer",
      pointer: { version: 3 },
    });
    expect(parseKbMessage(kbManifestSubject("docs", 3), encode({ collection: "docs", version: 3, documents: 10, createdAt: "t" }))).toMatchObject({
      ok: true,
      kind: "manifest",
    });
  });

  it("refuses a pointer naming no valid version", () => {
    expect(parseKbMessage(kbPointerSubject("docs"), encode({ collection: "docs", version: -1, switchedAt: "t" }))).toMatchObject({ ok: false, reason: "schema" });
  });

  it("refuses malformed JSON without quoting it", () => {
    const result = parseKbMessage(subject, encode("{secret text"));
    expect(result).toMatchObject({ ok: false, reason: "not_json" });
    expect(JSON.stringify(result)).not.toContain("secret");
  });

  it("names the invalid field without quoting the text", () => {
    const result = parseKbMessage(subject, encode({ id: "d1", collection: "docs", text: "   " }));
    expect(result).toEqual({ ok: false, reason: "schema", detail: "text: must not be empty" });
    const missing = parseKbMessage(subject, encode({ collection: "docs", text: "confidential words" }));
    expect(missing).toMatchObject({ ok: false, reason: "schema", detail: expect.stringContaining("id") });
    expect(JSON.stringify(missing)).not.toContain("confidential");
  });

  it("refuses a document published under another collection's subject", () => {
    const result = parseKbMessage(kbDocumentSubject("other", "d1"), encode({ id: "d1", collection: "docs", text: "body" }));
    expect(result).toMatchObject({ ok: false, reason: "subject_mismatch" });
  });
});
