// Set-up shared by `npm start` and `npm test`: installs what is missing, then builds.
// Node built-ins only: this runs before the project's own dependencies are installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw new Error(`cannot run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function must(command, args, what) {
  const status = run(command, args);
  if (status !== 0) {
    console.error(`\n✗ ${what} failed (exit ${status}): ${command} ${args.join(" ")}`);
    process.exit(status);
  }
}

const onPath = (bin) => spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;

/**
 * npm dependencies: installed when node_modules is missing or older than the lock file.
 * `npm install` rather than `npm ci`: npm leaves other platforms' optional packages (turbo's
 * per-OS binaries) out of the lock file (npm/cli#4828), and `npm ci` then refuses the lock as
 * out of sync. `npm install` keeps the locked versions and fills those entries in.
 */
export function ensureDependencies() {
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  if (existsSync(installed) && (!existsSync(lock) || statSync(installed).mtimeMs >= statSync(lock).mtimeMs)) return;
  console.log("• installing npm dependencies…");
  must("npm", ["install", "--no-audit", "--no-fund"], "npm install");
}

/**
 * A command from a Debian package, installed with apt-get when it is missing (as root), unless the
 * environment variable `override` points at a binary instead.
 */
function ensureDebianCommand({ command, override, pkg, why, options = [] }) {
  if (process.env[override] || onPath(command)) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !onPath("apt-get")) {
    console.error(`✗ ${command} is not installed. Install it (Debian/Ubuntu: sudo apt-get install ${pkg}) or set ${override} to its path.`);
    process.exit(1);
  }
  console.log(`• installing ${pkg} (Debian package) for ${why}…`);
  must("apt-get", ["update", "-qq"], "apt-get update");
  must("apt-get", ["install", "-y", "-qq", ...options, pkg], `apt-get install ${pkg}`);
}

/** nats-server from Debian's package (or KBALIGN_NATS_SERVER pointing at a binary). */
export function ensureNatsServer() {
  ensureDebianCommand({ command: "nats-server", override: "KBALIGN_NATS_SERVER", pkg: "nats-server", why: "the message bus" });
}

/**
 * promtool (and the prometheus server) from Debian's `prometheus` package, for the alert-rule tests
 * in observability/, or KBALIGN_PROMTOOL pointing at a promtool binary. Where services are managed
 * the package also starts a server on :9090 with Debian's configuration; no test uses it (the tests
 * that need a server start their own on a free port).
 */
export function ensurePrometheus() {
  ensureDebianCommand({
    command: "promtool",
    override: "KBALIGN_PROMTOOL",
    pkg: "prometheus",
    why: "the alert-rule tests",
    options: ["--no-install-recommends"],
  });
}

export function build() {
  must("npx", ["turbo", "run", "build", "--output-logs=errors-only"], "build");
}
