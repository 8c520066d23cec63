import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isAllowed, NatsRoles, PermissionMatrix, permissionsOf, permissionTable, subjectMatches } from "./permissions.js";

const securityDoc = readFileSync(new URL("../../../../docs/security.md", import.meta.url), "utf8");

describe("subjectMatches", () => {
  it.each([
    ["a.b", "a.b", true],
    ["a.*", "a.b", true],
    ["a.*", "a.b.c", false],
    ["a.>", "a.b.c", true],
    ["a.>", "a", false],
    ["a.*.c", "a.b.c", true],
    ["a.b", "a.b.c", false],
  ])("%s matches %s: %s", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});

describe("the permission matrix", () => {
  it("covers each rule's example with the rule's own subjects", () => {
    for (const rule of PermissionMatrix) expect(rule.subjects.some((s) => subjectMatches(s, rule.example)), rule.example).toBe(true);
  });

  it("keeps the client to asking, cancelling and its own replies", () => {
    expect(permissionsOf("client")).toEqual({ publish: ["kbalign.v1.query", "kbalign.v1.cancel"], subscribe: ["_INBOX.client.>"], allowResponses: false });
    expect(isAllowed("client", "subscribe", "kbalign.v1.query")).toBe(false);
    expect(isAllowed("client", "subscribe", "_INBOX.orchestrator.x")).toBe(false);
    expect(isAllowed("client", "publish", "_INBOX.client.x")).toBe(false);
  });

  it("lets only the operator administer JetStream and write configuration", () => {
    for (const role of NatsRoles) {
      expect(isAllowed(role, "publish", "$JS.API.STREAM.PURGE.KBALIGN_KB"), role).toBe(role === "operator");
      expect(isAllowed(role, "publish", "$KV.KBALIGN_CONFIG.query.defaultTopn"), role).toBe(role === "operator");
    }
  });

  it("is the table docs/security.md shows", () => {
    expect(securityDoc).toContain(permissionTable());
  });
});
