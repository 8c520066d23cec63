import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root (test/e2e/support → three levels up). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export const SERVICES = ["retriever", "generator", "orchestrator"] as const;
export type ServiceKey = (typeof SERVICES)[number];

/** The name each service registers with the NATS services framework (what PING, INFO and STATS address). */
export const SERVICE_NAMES: Record<ServiceKey, string> = { retriever: "kbalign-retriever", generator: "kbalign-generator", orchestrator: "kbalign-orchestrator" };

export const serviceMain = (key: ServiceKey): string => `${repoRoot}services/${key}/dist/main.js`;
export const cliMain = `${repoRoot}cli/dist/main.js`;

/**
 * End-to-end tests run the built programs, as a user would. Fails with what to do when a build is
 * missing, instead of a confusing "module not found" from a child process.
 */
export function assertBuilt(): void {
  const missing = [...SERVICES.map(serviceMain), cliMain].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`end-to-end tests need the built programs; missing:\n  ${missing.join("\n  ")}\nbuild first: npm run build`);
  }
}
