/** A Kubernetes object as rendered: read as data, checked by the schemas and the policies. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** `Kind/name`, how errors and tests name an object. */
export const objectId = (object: KubeObject): string => `${object.kind}/${object.metadata.name}`;

/** Checks the shape every rendered document must have before anything reads it. */
export function asKubeObject(value: unknown, where: string): KubeObject {
  const record = value as Partial<KubeObject> | null;
  if (typeof record !== "object" || record === null) throw new Error(`${where}: not an object`);
  if (typeof record.apiVersion !== "string") throw new Error(`${where}: no apiVersion`);
  if (typeof record.kind !== "string") throw new Error(`${where}: no kind`);
  if (typeof record.metadata?.name !== "string") throw new Error(`${where}: no metadata.name`);
  return record as KubeObject;
}
