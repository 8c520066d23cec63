import { fileURLToPath } from "node:url";

/** Folders the tests read, absolute. */
export const paths = {
  root: fileURLToPath(new URL("../../", import.meta.url)),
  prometheus: fileURLToPath(new URL("../prometheus/", import.meta.url)),
  grafana: fileURLToPath(new URL("../grafana/", import.meta.url)),
  docs: fileURLToPath(new URL("../../docs/", import.meta.url)),
};
