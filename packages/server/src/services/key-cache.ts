/**
 * Key metadata (state, primary version, deletion date, tags) kept in memory, so that reading a secret
 * does not read its key's rows every time. Every change to a key goes through the key service, which
 * calls `invalidate` once the change has committed: the next use on this node reads the new state (a
 * disabled key stops reads at once), and the change feed tells the other nodes sharing the database,
 * which forget every key too. Where other nodes may change keys, an entry is also read again once it is
 * older than the feed's `maxStalenessMs` (docs/caching.md).
 *
 * A load that started before an invalidation, here or heard, is not cached (its result may predate the
 * change): `CacheEntries` keeps a generation counter for that.
 */
import type { Key } from '../domain/key.js';
import { CacheEntries } from './cache-entries.js';
import type { ChangeFeed } from './change-feed.js';
import { LOCAL_CHANGE_FEED } from './change-feed.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** Keys kept at most; past it the least recently loaded goes first. */
const CACHE_ENTRIES = 4096;
const SERVICE_KEY = '\0service';

export class KeyCache {
  readonly #keys: CacheEntries<string, Key>;
  readonly #changes: ChangeFeed;
  readonly #metrics: MetricsRecorder;

  constructor(options: { readonly changes?: ChangeFeed; readonly metrics?: MetricsRecorder } = {}) {
    this.#changes = options.changes ?? LOCAL_CHANGE_FEED;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#keys = new CacheEntries({ maxEntries: CACHE_ENTRIES, maxAgeMs: this.#changes.maxStalenessMs });
    // A change of this node forgets every key (`invalidate`), and so does one heard, named or not.
    this.#changes.subscribe((topic) => {
      if (topic === undefined || topic === 'key') this.#keys.forgetAll();
    });
  }

  /** The key with this id, from memory or loaded (and then kept); undefined when none exists. */
  async get(keyId: string, load: () => Promise<Key | undefined>): Promise<Key | undefined> {
    return this.#get(keyId, load);
  }

  /** The service key, from memory or loaded. */
  async serviceKey(load: () => Promise<Key | undefined>): Promise<Key | undefined> {
    return this.#get(SERVICE_KEY, load);
  }

  /** Forgets every key, here and on the other nodes: called after any key changed, was added or destroyed. */
  invalidate(): void {
    this.#keys.forgetAll();
    this.#changes.announce('key');
  }

  async #get(slot: string, load: () => Promise<Key | undefined>): Promise<Key | undefined> {
    const cached = this.#keys.get(slot);
    this.#metrics.cacheLookup('key', cached !== undefined);
    if (cached) return cached.value;
    const ticket = this.#keys.ticket();
    const key = await load();
    if (key) this.#keys.keep(slot, key, ticket);
    return key;
  }
}
