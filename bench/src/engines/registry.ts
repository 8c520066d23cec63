import type { Engine } from "./engine.js";
import { kbalign } from "./kbalign.js";
import { minisearchBigrams, minisearchDefault, minisearchKbalignTerms, minisearchSegmenterWords } from "./minisearch.js";
import { oramaDefault, oramaKbalignTerms } from "./orama.js";
import { wink } from "./wink.js";

/** The datasets compared, each with the engines run on it, in the order they run. */
export const DATASETS = {
  scifact: [kbalign, minisearchDefault, minisearchKbalignTerms, oramaDefault, oramaKbalignTerms, wink],
  cmrc2018: [kbalign, minisearchBigrams, minisearchSegmenterWords, minisearchKbalignTerms],
} as const satisfies Record<string, readonly Engine[]>;

export type DatasetName = keyof typeof DATASETS;

export function isDatasetName(name: string): name is DatasetName {
  return Object.hasOwn(DATASETS, name);
}

export function engineOn(dataset: DatasetName, name: string): Engine | undefined {
  return DATASETS[dataset].find((engine) => engine.name === name);
}
