import { spawnSync } from "node:child_process";

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together: promtool reports failures on either. */
  output: string;
}

/** promtool from Debian's `prometheus` package (scripts/bootstrap.mjs installs it), or KBALIGN_PROMTOOL. */
export function runPromtool(args: string[], cwd: string): PromtoolResult {
  const bin = process.env.KBALIGN_PROMTOOL ?? "promtool";
  const result = spawnSync(bin, args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (result.error) {
    throw new Error(`cannot run ${bin} (Debian/Ubuntu: apt-get install prometheus, or set KBALIGN_PROMTOOL): ${result.error.message}`);
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
