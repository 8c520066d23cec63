// `npm test`: installs what is missing, builds, runs every package's tests, prints one total.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build, ensureDependencies, ensureNatsServer, ensurePrometheus, root, run } from "./bootstrap.mjs";

ensureDependencies();
ensureNatsServer();
ensurePrometheus();
build();
// Type-check everything, tests included (vitest runs TypeScript without checking its types).
const typed = run("npx", ["turbo", "run", "check-types", "--output-logs=errors-only"]);
if (typed !== 0) {
  console.error("\n✗ type errors (see above)");
  process.exit(typed);
}

const REPORT = ".vitest-report.json";
const packageDirs = ["shared", "services"].flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name)));
const reports = () => [...packageDirs, "cli", "test", "observability", "deploy", "k6"].map((dir) => join(dir, REPORT)).filter((file) => existsSync(join(root, file)));
for (const file of reports()) rmSync(join(root, file));

// Two at a time: the machine has 2 cores, and integration tests start real servers and processes.
const status = run("npx", ["turbo", "run", "test", "--concurrency=2", "--continue", ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports()) {
  const report = JSON.parse(readFileSync(join(root, file), "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
