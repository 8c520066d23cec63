import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsRoles, permissionsOf } from "@kbalign/contracts";
import { writeStackCredentials } from "./stack-credentials.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kbalign-creds-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeStackCredentials", () => {
  it("writes one {user, password} file per role, readable by the owner only, matching the server's users", async () => {
    const { files, users } = await writeStackCredentials(dir);
    expect((await stat(join(dir, "credentials"))).mode & 0o777).toBe(0o700);
    for (const role of NatsRoles) {
      expect(files[role]).toBe(join(dir, "credentials", `${role}.json`));
      expect((await stat(files[role])).mode & 0o777).toBe(0o600);
      const content: unknown = JSON.parse(await readFile(files[role], "utf8"));
      const user = users.find((u) => u.user === role);
      expect(content).toEqual({ user: role, password: user?.password });
      expect(user?.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(user?.permissions).toEqual(permissionsOf(role));
    }
  });

  it("gives every role a different password, and new ones on every start", async () => {
    const first = await writeStackCredentials(dir);
    const second = await writeStackCredentials(dir);
    expect(new Set(first.users.map((u) => u.password)).size).toBe(NatsRoles.length);
    for (const [i, user] of second.users.entries()) expect(user.password).not.toBe(first.users[i]?.password);
  });
});
