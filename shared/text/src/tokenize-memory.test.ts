import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The measurement runs in a child Node process (with --expose-gc), so the heap is tokenize's
// own and not shared with vitest's. Node 20 runs no TypeScript, so the package's sources are
// transpiled into a scratch folder inside its node_modules, from which their imports resolve
// exactly as the sources' do.
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIR = join(PACKAGE_DIR, "src");
const SCRATCH_PARENT = join(PACKAGE_DIR, "node_modules", ".cache");

/** Both memo caches together are budgeted at 48 MiB; the rest is room for V8's own slack. */
const HEAP_BOUND_BYTES = 64 * 1024 * 1024;
/** Tens of thousands of distinct queries of 400 characters, and fewer of 2,000 (the longest runs). */
const WORKLOADS = [
  { queries: 20_000, length: 400 },
  { queries: 1_600, length: 2_000 },
] as const;

// Reports the heap (after a full GC) above its level before the first query, at its highest of 40
// samples or more.
// Even queries are one Han run as long as the query (a paragraph without punctuation), odd ones clauses
// of 1–64 Han characters: the first too long to be remembered, the second remembered until the
// byte budget pushes them out. The characters are 3,000 spread over the CJK Unified Ideographs.
const PROBE = `
import { tokenize } from "./tokenize.js";
const [queries, length] = process.argv.slice(2).map(Number);
let state = 1;
const random = (n) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) % n; };
const han = () => String.fromCharCode(0x4e00 + 7 * random(3000));
function query(i) {
  let text = "";
  if (i % 2 === 0) { while (text.length < length) text += han(); return text; }
  while (text.length < length) {
    const clause = 1 + random(64);
    for (let c = 0; c < clause; c++) text += han();
    text += "，";
  }
  return text;
}
const heapUsed = () => { globalThis.gc(); return process.memoryUsage().heapUsed; };
tokenize("长江是中国最长的河流");
const start = heapUsed();
let peak = 0;
const every = Math.max(100, Math.floor(queries / 40));
for (let i = 1; i <= queries; i++) {
  tokenize(query(i));
  if (i % every === 0) peak = Math.max(peak, heapUsed() - start);
}
process.stdout.write(String(peak));
`;

async function transpileSources(outDir: string): Promise<void> {
  for (const file of await readdir(SOURCE_DIR)) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
    const { outputText } = ts.transpileModule(await readFile(join(SOURCE_DIR, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(outDir, file.replace(/\.ts$/, ".js")), outputText);
  }
  await writeFile(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(join(outDir, "probe.js"), PROBE);
}

describe("tokenize's memory", () => {
  let scratch: string;

  beforeAll(async () => {
    await mkdir(SCRATCH_PARENT, { recursive: true });
    scratch = await mkdtemp(join(SCRATCH_PARENT, "tokenize-memory-"));
    await transpileSources(scratch);
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it.each(WORKLOADS)(
    `stays under ${HEAP_BOUND_BYTES / 2 ** 20} MiB of heap through $queries distinct $length-character Chinese queries`,
    async ({ queries, length }) => {
      const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", join(scratch, "probe.js"), String(queries), String(length)], {
        cwd: scratch,
      });
      const peakBytes = Number(stdout);
      expect(peakBytes).toBeGreaterThan(0);
      expect(peakBytes).toBeLessThan(HEAP_BOUND_BYTES);
    },
    90_000,
  );
});
