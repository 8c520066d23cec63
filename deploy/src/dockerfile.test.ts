import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { effective, parseDockerfile } from "./dockerfile.js";
import type { PodTemplate } from "./pod-templates.js";
import { paths, SERVICES } from "./paths.js";
import { find, rendered } from "./renders.js";

const stages = parseDockerfile(readFileSync(join(paths.docker, "Dockerfile"), "utf8"));
const stageNames = new Set(stages.flatMap((stage) => (stage.name ? [stage.name] : [])));

describe("the Dockerfile", () => {
  it("builds from a pinned Node image, never latest", () => {
    const bases = stages.map((stage) => stage.from).filter((from) => !stageNames.has(from));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:\d+\.\d+\.\d+-[\w-]+$/);
  });

  it.each(SERVICES)("has a %s target that runs as a non-root user and serves the ops port the manifests probe", (service) => {
    expect(stageNames.has(service)).toBe(true);
    const user = effective(stages, service, "USER");
    expect(user).toBeDefined();
    expect(user!.split(":")[0]).not.toMatch(/^(0|root)$/);
    const { template } = find(rendered("base"), "Deployment", `kbalign-${service}`).spec as { template: PodTemplate };
    const container = template.spec.containers[0]!;
    const port = container.ports![0]!.containerPort;
    expect(effective(stages, service, "EXPOSE")).toBe(String(port));
    expect(effective(stages, service, "ENV")).toBe(`KBALIGN_HTTP_PORT=${port}`);
    expect(container.image).toBe(`kbalign/${service}:0.1.0`);
  });

  it.each(SERVICES)("starts the %s as its package's start script does, from a file the build produces", (service) => {
    const pkg = JSON.parse(readFileSync(join(paths.root, "services", service, "package.json"), "utf8")) as { scripts: { start: string } };
    const command = JSON.parse(effective(stages, service, "CMD")!) as string[];
    expect(command.join(" ")).toBe(pkg.scripts.start);
    const workdir = effective(stages, service, "WORKDIR")!;
    expect(workdir).toBe(`/app/services/${service}`);
    expect(existsSync(join(paths.root, "services", service, "src", "main.ts"))).toBe(true);
  });

  it("keeps dependencies, build output and data out of the build context", () => {
    const ignored = readFileSync(join(paths.docker, "Dockerfile.dockerignore"), "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", "**/dist", ".git"]));
  });
});

describe("parseDockerfile", () => {
  it("follows USER through the stages a target is built from", () => {
    const parsed = parseDockerfile("ARG BASE=node:20.1.0-slim\nFROM ${BASE} AS a\nUSER 1000\nFROM a AS b\nCMD [\"x\"]\nFROM node:20.1.0-slim AS c\n");
    expect(parsed.map((stage) => stage.from)).toEqual(["node:20.1.0-slim", "a", "node:20.1.0-slim"]);
    expect(effective(parsed, "b", "USER")).toBe("1000");
    expect(effective(parsed, "c", "USER")).toBeUndefined();
  });
});
