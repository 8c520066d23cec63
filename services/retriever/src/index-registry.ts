import { Bm25Index, type Bm25Parameters } from "@kbalign/search";

/** One BM25 index per collection, all built with the same parameters. */
export class IndexRegistry {
  private readonly indexes = new Map<string, Bm25Index>();

  constructor(private readonly parameters: Partial<Bm25Parameters> = {}) {}

  /** The collection's index, or undefined if no document of it was ever indexed. */
  get(collection: string): Bm25Index | undefined {
    return this.indexes.get(collection);
  }

  /** The collection's index, created empty on first use. */
  getOrCreate(collection: string): Bm25Index {
    let index = this.indexes.get(collection);
    if (!index) {
      index = new Bm25Index(this.parameters);
      this.indexes.set(collection, index);
    }
    return index;
  }

  /** Documents per collection, in collection-name order. */
  documentCounts(): Record<string, number> {
    const names = [...this.indexes.keys()].sort();
    return Object.fromEntries(names.map((name) => [name, this.indexes.get(name)!.size]));
  }

  /** Documents over every collection. */
  get totalDocuments(): number {
    let total = 0;
    for (const index of this.indexes.values()) total += index.size;
    return total;
  }
}
