// `npm start`: installs what is missing, builds, then runs the whole stack with the demo:
// NATS with JetStream, the three services, the demo knowledge base, one question in English and
// one in Chinese answered end to end. Serves until Ctrl-C.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { build, ensureDependencies, ensureNatsServer, root } from "./bootstrap.mjs";

ensureDependencies();
ensureNatsServer();
build();

const isFree = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

// NATS' standard port when it is free; otherwise the next free one (a NATS server may already run).
const wanted = Number(process.env.KBALIGN_PORT ?? 4222);
let port = wanted;
while (!(await isFree(port))) port++;
if (port !== wanted) console.log(`• port ${wanted} is taken; the stack's NATS server will listen on ${port}`);

// The services' ops ports (metrics, health): 9101-9103 when free, otherwise any free ports.
const opsFree = (await Promise.all([9101, 9102, 9103].map(isFree))).every(Boolean);
const opsPort = opsFree ? "9101" : "0";

const child = spawn(process.execPath, ["cli/dist/main.js", "up", "--demo", "--port", String(port), "--data", ".kbalign", "--ops-port", opsPort], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
