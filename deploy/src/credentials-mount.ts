import type { Container, PodTemplate } from "./pod-templates.js";

interface MountedContainer extends Container {
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
}
interface SecretVolume {
  name: string;
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
}

/** Where a container's KBALIGN_NATS_CREDENTIALS file comes from: the Secret and its key. */
export interface CredentialsSource {
  secretName: string;
  key: string;
}

/**
 * Follows KBALIGN_NATS_CREDENTIALS of the pod's first container as the kubelet would: the volume
 * mounted over that path, the Secret behind the volume, the item (or key) that lands on the file.
 * Throws naming the link that is missing.
 */
export function natsCredentialsSource(template: PodTemplate): CredentialsSource {
  const container = template.spec.containers[0] as MountedContainer;
  const path = container.env?.find((env) => env.name === "KBALIGN_NATS_CREDENTIALS")?.value;
  if (!path) throw new Error(`container ${container.name}: no KBALIGN_NATS_CREDENTIALS value`);
  const mount = container.volumeMounts?.find((candidate) => !candidate.subPath && path.startsWith(`${candidate.mountPath.replace(/\/$/, "")}/`));
  if (!mount) throw new Error(`container ${container.name}: no volume mounted over ${path}`);
  const volume = (template.spec.volumes as SecretVolume[] | undefined)?.find((candidate) => candidate.name === mount.name);
  if (!volume?.secret) throw new Error(`container ${container.name}: volume ${mount.name} (over ${path}) is not a Secret`);
  const file = path.slice(mount.mountPath.replace(/\/$/, "").length + 1);
  const items = volume.secret.items;
  const key = items ? items.find((item) => item.path === file)?.key : file;
  if (!key) throw new Error(`container ${container.name}: Secret ${volume.secret.secretName} puts no item at ${file}`);
  return { secretName: volume.secret.secretName, key };
}
