/**
 * Key metadata (state, primary version, deletion date, tags) kept in memory, so that reading a secret
 * does not read its key's rows every time. Correct only because one process owns the data folder and
 * every change to a key goes through the key service, which calls `invalidate` once the change has
 * committed: the next use reads the new state (a disabled key stops reads at once).
 *
 * A load that started before an invalidation is not cached (its result may predate the change): a
 * generation counter, bumped by every invalidation, tells.
 */
import type { Key } from '../domain/key.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** Keys kept at most; past it the least recently loaded goes first. */
const CACHE_ENTRIES = 4096;
const SERVICE_KEY = '\0service';

export class KeyCache {
  readonly #keys = new Map<string, Key>();
  #generation = 0;
  readonly #enabled: boolean;
  readonly #metrics: MetricsRecorder;

  /**
   * `enabled: false` when other processes write the same database (PostgreSQL): their key changes never
   * reach this process's `invalidate`, so nothing is kept and every use reads the key's current state.
   */
  constructor(options: { readonly enabled?: boolean; readonly metrics?: MetricsRecorder } = {}) {
    this.#enabled = options.enabled ?? true;
    this.#metrics = options.metrics ?? NO_METRICS;
  }

  /** The key with this id, from memory or loaded (and then kept); undefined when none exists. */
  async get(keyId: string, load: () => Promise<Key | undefined>): Promise<Key | undefined> {
    return this.#get(keyId, load);
  }

  /** The service key, from memory or loaded. */
  async serviceKey(load: () => Promise<Key | undefined>): Promise<Key | undefined> {
    return this.#get(SERVICE_KEY, load);
  }

  /** Forgets every key: called after any key changed, was added or destroyed. */
  invalidate(): void {
    this.#generation += 1;
    this.#keys.clear();
  }

  async #get(slot: string, load: () => Promise<Key | undefined>): Promise<Key | undefined> {
    if (!this.#enabled) return load();
    const cached = this.#keys.get(slot);
    this.#metrics.cacheLookup('key', cached !== undefined);
    if (cached) return cached;
    const generation = this.#generation;
    const key = await load();
    if (key && generation === this.#generation) {
      if (this.#keys.size >= CACHE_ENTRIES) {
        const oldest = this.#keys.keys().next();
        if (!oldest.done) this.#keys.delete(oldest.value);
      }
      this.#keys.set(slot, key);
    }
    return key;
  }
}
