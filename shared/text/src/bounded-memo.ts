/**
 * A memo of computed values bounded by the heap bytes its entries take, and cheap on a hit: one Map
 * lookup, where an exact LRU list (lru-cache) costs several times that on every hit — a hit per word
 * tokenized, so that cost showed as 11% of a query's CPU in the profile (docs/performance.md).
 *
 * Entries live in two generations of at most half the budget each. New entries and hits on the old
 * generation go to the young one; when the young one fills it becomes the old one and the previous
 * old one is dropped whole. What is used at least once per generation stays; what is not is gone
 * within two. Both together never pass `maxBytes` by more than one entry.
 */
export class BoundedMemo<V> {
  readonly #halfBytes: number;
  readonly #sizeOf: (key: string, value: V) => number;
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  #youngBytes = 0;

  /** `sizeOf`: the estimated heap bytes of an entry, key included. */
  constructor(maxBytes: number, sizeOf: (key: string, value: V) => number) {
    if (!(Number.isFinite(maxBytes) && maxBytes > 0)) throw new RangeError(`maxBytes must be a finite number > 0, got ${maxBytes}`);
    this.#halfBytes = maxBytes / 2;
    this.#sizeOf = sizeOf;
  }

  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#admit(key, old);
    }
    return old;
  }

  /** Remembers `value`; an entry larger than half the budget is not kept. */
  set(key: string, value: V): void {
    this.#old.delete(key);
    if (this.#young.has(key)) return;
    this.#admit(key, value);
  }

  /** Entries held (both generations). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #admit(key: string, value: V): void {
    const bytes = this.#sizeOf(key, value);
    if (bytes > this.#halfBytes) return;
    if (this.#youngBytes + bytes > this.#halfBytes) {
      this.#old = this.#young;
      this.#young = new Map();
      this.#youngBytes = 0;
    }
    this.#young.set(key, value);
    this.#youngBytes += bytes;
  }
}
