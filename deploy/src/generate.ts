// `npm run generate -w deploy`: writes the files made from other sources — the monitoring objects
// from observability/, then the Helm chart's templates from the kustomize base that includes them.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { chartFiles, observabilityFiles, type GeneratedFile } from "./generated-files.js";
import { paths } from "./paths.js";

const write = (files: GeneratedFile[]): void => {
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content);
    console.log(`wrote ${relative(paths.root, file.path)}`);
  }
};

write(observabilityFiles());
// Templates of objects no longer rendered must go too.
const templates = join(paths.chart, "templates");
mkdirSync(templates, { recursive: true });
for (const name of readdirSync(templates).filter((name) => name.endsWith(".yaml"))) rmSync(join(templates, name));
write(chartFiles());
