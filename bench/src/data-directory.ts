import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** This bench folder, whatever the working directory. */
export const benchDirectory = fileURLToPath(new URL("..", import.meta.url));
export const resultsDirectory = join(benchDirectory, "results");

/** The folder holding the datasets in BEIR layout: the argument, or ../../shared/data from this folder's parent. */
export const dataDirectory = (argument: string | undefined): string => resolve(argument ?? join(benchDirectory, "..", "..", "shared", "data"));
