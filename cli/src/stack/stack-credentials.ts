import { randomBytes } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NatsRoles, roleUsers, type NatsRole, type NatsServerUser } from "@kbalign/contracts";

/** What `kbalign up --auth` made: each role's credentials file and the server's users. */
export interface StackCredentials {
  /** `DIR/credentials/<role>.json`, `{"user","password"}`, mode 0600. */
  files: Record<NatsRole, string>;
  users: NatsServerUser[];
}

/** 24 random bytes per password: unguessable, and a plain string in any config syntax. */
const newPassword = (): string => randomBytes(24).toString("base64url");

/**
 * Writes a fresh password for every role to `DIR/credentials/<role>.json` (directory 0700, files
 * 0600; new passwords on every start, so a copy taken earlier stops working).
 */
export async function writeStackCredentials(dataDir: string): Promise<StackCredentials> {
  const dir = join(dataDir, "credentials");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const passwords = Object.fromEntries(NatsRoles.map((role) => [role, newPassword()])) as Record<NatsRole, string>;
  const files = {} as Record<NatsRole, string>;
  for (const role of NatsRoles) {
    const file = join(dir, `${role}.json`);
    await writeFile(file, `${JSON.stringify({ user: role, password: passwords[role] })}\n`, { mode: 0o600 });
    // writeFile's mode applies only to a file it creates: tighten one left by an earlier run too.
    await chmod(file, 0o600);
    files[role] = file;
  }
  return { files, users: roleUsers(passwords) };
}
