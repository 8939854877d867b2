/**
 * The bookkeeping the services' in-memory caches share (`key-cache.ts`, `secret-policy-cache.ts`, the
 * access-key and identity services; docs/caching.md):
 * - at most `maxEntries` entries, the oldest loaded going first;
 * - a generation counter bumped by every forget, so that a load that overlapped a change is not kept
 *   (it may have read the state from before the change);
 * - when other nodes may change the data (the change feed's `maxStalenessMs`), an age past which an
 *   entry is read again: the bound that covers a change notice that never arrived.
 *
 * Ages run on the monotonic clock (`performance.now()`): a wall-clock step must not keep an entry alive.
 */

export interface CachedEntry<V> {
  readonly value: V;
  /** When the load that produced the value started (monotonic milliseconds). */
  readonly loadedAt: number;
}

/** Taken before a load; `keep` refuses the result if anything was forgotten since. */
export interface LoadTicket {
  readonly generation: number;
  readonly startedAt: number;
}

export class CacheEntries<K, V> {
  readonly #entries = new Map<K, CachedEntry<V>>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number | undefined;
  readonly #now: () => number;
  #generation = 0;

  constructor(options: {
    readonly maxEntries: number;
    /** Undefined: entries live until forgotten or evicted. */
    readonly maxAgeMs: number | undefined;
    readonly now?: () => number;
  }) {
    this.#maxEntries = options.maxEntries;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The kept entry; undefined when there is none or it has grown too old (then it is dropped). */
  get(key: K): CachedEntry<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || this.#maxAgeMs === undefined) return entry;
    if (this.#now() - entry.loadedAt < this.#maxAgeMs) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  ticket(): LoadTicket {
    return { generation: this.#generation, startedAt: this.#maxAgeMs === undefined ? 0 : this.#now() };
  }

  /** Keeps a loaded value, unless something was forgotten since its ticket was taken. */
  keep(key: K, value: V, ticket: LoadTicket): void {
    if (ticket.generation !== this.#generation || this.#maxAgeMs === 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, loadedAt: ticket.startedAt });
  }

  forget(key: K): void {
    this.#generation += 1;
    this.#entries.delete(key);
  }

  forgetAll(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  /** Forgets the entries whose value passes `test`. */
  forgetWhere(test: (value: V) => boolean): void {
    this.#generation += 1;
    for (const [key, entry] of this.#entries) if (test(entry.value)) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
