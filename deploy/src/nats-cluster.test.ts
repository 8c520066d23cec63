import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Container, PodTemplate } from "./pod-templates.js";
import { natsSecrets, passwordsFrom } from "./nats-secrets.js";
import { find, rendered } from "./renders.js";

const NATS_SERVER = process.env.KBALIGN_NATS_SERVER ?? "nats-server";

interface StatefulSetSpec {
  replicas: number;
  serviceName: string;
  template: Omit<PodTemplate, "spec"> & {
    spec: Omit<PodTemplate["spec"], "volumes"> & {
      volumes: Array<{ name: string; projected?: { sources: Array<{ configMap?: { name: string }; secret?: { name: string; items: Array<{ key: string; path: string }> } }> } }>;
    };
  };
  volumeClaimTemplates: Array<{ metadata: { name: string } }>;
}
interface Mount {
  name: string;
  mountPath: string;
}

const objects = rendered("prod");
const statefulSet = find(objects, "StatefulSet", "kbalign-nats");
const spec = statefulSet.spec as StatefulSetSpec;
const nats = spec.template.spec.containers[0] as Container & { args: string[]; volumeMounts: Mount[] };
const configVolume = spec.template.spec.volumes.find((volume) => volume.projected)!;
const configMapName = configVolume.projected!.sources.find((source) => source.configMap)!.configMap!.name;
const configText = (find(objects, "ConfigMap", configMapName).data as Record<string, string>)["nats.conf"]!;
const mountOf = (volume: string): string => nats.volumeMounts.find((mount) => mount.name === volume)!.mountPath;
const portOf = (name: string): number => nats.ports!.find((port) => port.name === name)!.containerPort;

/** A size in bytes, from NATS (8G, 1600M) or Kubernetes (10Gi) notation; both read 1024-based here. */
const size = (text: string): number => {
  const [, number, unit = ""] = /^(\d+)([KMGT]?)i?B?$/.exec(text) ?? [];
  if (!number) throw new Error(`size ${text} not understood`);
  return Number(number) * 1024 ** "_KMGT".indexOf(unit || "_");
};

const workdir = mkdtempSync(join(tmpdir(), "kbalign-nats-conf-"));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** Lays the projected volume out as the kubelet would (ConfigMap keys, then the Secret's items) and asks nats-server to check it. */
function checkConfig(authConf: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(workdir, "etc-nats-"));
  writeFileSync(join(dir, "nats.conf"), configText);
  for (const item of configVolume.projected!.sources.find((source) => source.secret)!.secret!.items) {
    mkdirSync(dirname(join(dir, item.path)), { recursive: true });
    writeFileSync(join(dir, item.path), authConf);
  }
  const podEnv = Object.fromEntries((nats.env ?? []).flatMap((env) => (env.value === undefined ? [] : [[env.name, env.value]])));
  const result = spawnSync(NATS_SERVER, ["-c", join(dir, "nats.conf"), "-t"], { encoding: "utf8", env: { ...process.env, ...podEnv, SERVER_NAME: "kbalign-nats-0" } });
  if (result.error) throw new Error(`cannot run ${NATS_SERVER}: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The authorization `npm run nats-secrets` writes for the Secret, rendered from the permission matrix. */
const GENERATED_AUTH = natsSecrets(passwordsFrom({}, (role) => `placeholder-${role}-password`)).authConf;

describe("the NATS cluster", () => {
  it("runs a configuration nats-server accepts, with the generated users included where the Secret's volume puts them", () => {
    expect(nats.args).toEqual(["--config", `${mountOf("config")}/nats.conf`]);
    const checked = checkConfig(GENERATED_AUTH);
    expect(checked.output).toContain("is valid");
    expect(checked.status).toBe(0);
  });

  it("fails the check when the Secret's authorization block is broken (the include is really read)", () => {
    const checked = checkConfig("authorization { users: [");
    expect(checked.status).not.toBe(0);
    expect(checked.output).toContain("auth.conf");
  });

  it("routes to every replica through the headless Service, on the cluster port", () => {
    const routes = [...configText.matchAll(/nats:\/\/([\w.-]+):(\d+)/g)].map((match) => `${match[1]}:${match[2]}`);
    const expected = Array.from({ length: spec.replicas }, (_, i) => `${statefulSet.metadata.name}-${i}.${spec.serviceName}:${portOf("cluster")}`);
    expect(routes).toEqual(expected);
    expect(spec.replicas).toBe(3);
    const headless = find(objects, "Service", spec.serviceName).spec as { clusterIP: string; publishNotReadyAddresses: boolean };
    expect(headless).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
  });

  it("keeps JetStream on the persistent volume and the pid file on a writable one", () => {
    expect(/store_dir:\s*(\S+)/.exec(configText)?.[1]).toBe(mountOf("data"));
    expect(spec.volumeClaimTemplates.map((claim) => claim.metadata.name)).toEqual(["data"]);
    expect(dirname(/pid_file:\s*(\S+)/.exec(configText)![1]!)).toBe(mountOf("pid"));
  });

  it.each(["base", "dev", "staging", "prod"] as const)("in %s, caps JetStream's file store below the size of its volume", (overlay) => {
    const set = find(rendered(overlay), "StatefulSet", "kbalign-nats").spec as StatefulSetSpec & {
      volumeClaimTemplates: Array<{ spec: { resources: { requests: { storage: string } } } }>;
    };
    const store = set.template.spec.containers[0]!.env?.find((env) => env.name === "JS_MAX_FILE_STORE")?.value;
    expect(/max_file_store:\s*\$JS_MAX_FILE_STORE/.test(configText)).toBe(true);
    expect(size(store!)).toBeLessThanOrEqual(0.8 * size(set.volumeClaimTemplates[0]!.spec.resources.requests.storage));
  });

  it("listens for WebSocket clients on the port its Service exposes", () => {
    const port = Number(/websocket\s*\{[^}]*port:\s*(\d+)/.exec(configText)?.[1]);
    expect(port).toBe(portOf("websocket"));
    const service = find(objects, "Service", "kbalign-nats").spec as { ports: Array<{ name: string; port: number }> };
    expect(service.ports.find((p) => p.name === "websocket")?.port).toBe(port);
  });

  it("has the services create the KB stream and config bucket with one replica per server", () => {
    for (const name of ["kbalign-retriever", "kbalign-generator", "kbalign-orchestrator"]) {
      const container = (find(objects, "Deployment", name).spec as { template: PodTemplate }).template.spec.containers[0]!;
      expect(container.env?.find((env) => env.name === "KBALIGN_JS_REPLICAS")?.value, name).toBe(String(spec.replicas));
      expect(container.env?.find((env) => env.name === "NATS_URL")?.value).toBe(`nats://kbalign-nats:${portOf("client")}`);
    }
  });

  it("enters lame-duck mode before stopping, within its termination grace", () => {
    expect((nats.lifecycle as { preStop: { exec: { command: string[] } } }).preStop.exec.command).toEqual(["nats-server", "--signal", `ldm=${/pid_file:\s*(\S+)/.exec(configText)![1]}`]);
    const seconds = (name: string) => Number(new RegExp(`${name}:\\s*(\\d+)s`).exec(configText)?.[1]);
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(seconds("lame_duck_duration") + seconds("lame_duck_grace_period"));
  });
});

