import { Bm25Index, type Bm25Parameters } from "@kbalign/search";

/** A collection version's index, with its number. */
export interface VersionedIndex {
  index: Bm25Index;
  version: number;
}

/** One collection: an index per version, and the version it serves. */
interface CollectionVersions {
  indexes: Map<number, Bm25Index>;
  /** The served version: what the collection's pointer names, version 1 while it has none. */
  current: number;
}

/**
 * The BM25 indexes, one per version of each collection, all built with the same parameters. A
 * request ranks the collection's current version, or the version it names (the second recall of a
 * query asks for the version that answered the first).
 */
export class IndexRegistry {
  private readonly collections = new Map<string, CollectionVersions>();

  constructor(private readonly parameters: Partial<Bm25Parameters> = {}) {}

  /** The index of the collection's current version, or undefined if it has none. */
  get(collection: string): Bm25Index | undefined {
    return this.resolve(collection)?.index;
  }

  /** The index of `version` of the collection (its current version when omitted), or undefined. */
  resolve(collection: string, version?: number): VersionedIndex | undefined {
    const entry = this.collections.get(collection);
    if (!entry) return undefined;
    const wanted = version ?? entry.current;
    const index = entry.indexes.get(wanted);
    return index ? { index, version: wanted } : undefined;
  }

  /** The index of a version of the collection (version 1 by default), created empty on first use. */
  getOrCreate(collection: string, version = 1): Bm25Index {
    const entry = this.entry(collection);
    let index = entry.indexes.get(version);
    if (!index) {
      index = new Bm25Index(this.parameters);
      entry.indexes.set(version, index);
    }
    return index;
  }

  /** Makes `version` the one the collection serves: one assignment, so every later request sees it whole. */
  setCurrent(collection: string, version: number): void {
    this.entry(collection).current = version;
  }

  /** The version the collection serves, undefined for a collection never seen. */
  currentVersion(collection: string): number | undefined {
    return this.collections.get(collection)?.current;
  }

  /** Versions held for the collection, ascending. */
  versions(collection: string): number[] {
    return [...(this.collections.get(collection)?.indexes.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Documents of each collection's current version, in collection-name order. */
  documentCounts(): Record<string, number> {
    const names = [...this.collections.keys()].sort();
    return Object.fromEntries(names.map((name) => [name, this.get(name)?.size ?? 0]));
  }

  /** Documents over every version of every collection (what the memory holds). */
  get totalDocuments(): number {
    let total = 0;
    for (const entry of this.collections.values()) for (const index of entry.indexes.values()) total += index.size;
    return total;
  }

  /**
   * Takes over everything `rebuilt` holds, dropping what this registry held: how a rebuild from the
   * stream replaces the indexes at once, without a moment of serving a half-built set.
   */
  replaceWith(rebuilt: IndexRegistry): void {
    this.collections.clear();
    for (const [name, entry] of rebuilt.collections) this.collections.set(name, entry);
  }

  /** An empty registry with the same BM25 parameters (what a rebuild fills). */
  emptyLike(): IndexRegistry {
    return new IndexRegistry(this.parameters);
  }

  private entry(collection: string): CollectionVersions {
    let entry = this.collections.get(collection);
    if (!entry) {
      entry = { indexes: new Map(), current: 1 };
      this.collections.set(collection, entry);
    }
    return entry;
  }
}
