import { defineConfig } from "vitest/config";

// One config for every workspace package: tests import sibling packages from their TypeScript
// sources (the "@kbalign/source" export condition), so a test run needs no prior build of them.
export default defineConfig({
  resolve: { conditions: ["@kbalign/source"] },
  ssr: { resolve: { conditions: ["@kbalign/source"] } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
