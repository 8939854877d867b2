/**
 * Secrets kept in memory for the read path (issue 14): the aggregate as `getByName` loads it (metadata,
 * versions, stages, tags) and, per version read, its sealed value (the wrapped data key and the value
 * ciphertext — never plaintext). Reading a secret's value then costs no statement at all.
 *
 * Correctness rests on three rules (docs/caching.md):
 * - every write to a secret forgets its entry when it starts and again once its transaction settled
 *   (`cached-store.ts` routes every write of the secret repository here); a write that committed with
 *   nothing overlapping it leaves what it stored as the entry, any other leaves none, so the next read
 *   after a change, on this node, sees the new state;
 * - a load that overlapped any forget is handed back but not kept (a generation counter tells): it may
 *   have read the state before the change committed;
 * - on a shared database, changes other nodes announce are forgotten as they are heard, and no entry is
 *   served for longer than the feed's staleness bound without being loaded again.
 *
 * Bounded by entries and by the bytes of ciphertext kept; the least recently used secret goes first.
 */
import type { Secret } from '../domain/secret.js';
import type { SecretCiphertext } from '../storage/store.js';
import type { ChangeFeed } from './change-feed.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** What a committed write stored: the whole aggregate, and the version it added with its sealed value. */
export interface CommittedWrite {
  readonly secret: Secret;
  readonly added?: { readonly versionId: string; readonly ciphertext: SecretCiphertext } | undefined;
}

export interface SecretCacheLimits {
  /** Secrets kept at most; 0 turns the cache off. */
  readonly entries: number;
  /** Bytes of sealed values kept at most, over all secrets. */
  readonly bytes: number;
}

interface Entry {
  readonly secret: Secret;
  readonly loadedAt: number;
  /** Version id → its sealed value, for the versions read so far. */
  readonly values: Map<string, SecretCiphertext>;
  bytes: number;
}

/** What one entry is counted as besides its values: the aggregate's own rough size. */
const ENTRY_OVERHEAD_BYTES = 1024;

export class SecretCache {
  readonly #limits: SecretCacheLimits;
  readonly #maxStalenessMs: number | undefined;
  readonly #metrics: MetricsRecorder;
  /** By name, in least-recently-used order (a hit moves the entry to the end). */
  readonly #byName = new Map<string, Entry>();
  /** Secret id → name, for the ciphertext reads, which name the secret by id. */
  readonly #names = new Map<string, string>();
  #bytes = 0;
  #generation = 0;
  /** Names with writes in flight on this node: how many, and whether anything overlapped them. */
  readonly #writing = new Map<string, { inFlight: number; contended: boolean; heard: number }>();
  /** Bumped by every change heard from another node. */
  #heard = 0;

  constructor(options: {
    readonly limits: SecretCacheLimits;
    readonly feed: ChangeFeed;
    readonly metrics?: MetricsRecorder | undefined;
  }) {
    this.#limits = options.limits;
    this.#maxStalenessMs = options.feed.maxStalenessMs;
    this.#metrics = options.metrics ?? NO_METRICS;
    options.feed.subscribe((topic, id) => {
      this.#heard += 1;
      if (topic === undefined) this.forgetAll();
      else if (topic === 'secret') {
        if (id === undefined) this.forgetAll();
        else this.forget(id);
      }
    });
  }

  get enabled(): boolean {
    return this.#limits.entries > 0;
  }

  /** The secret by name, from memory or loaded (and kept, unless a change overlapped the load). */
  async secret(name: string, load: () => Promise<Secret | undefined>): Promise<Secret | undefined> {
    if (!this.enabled) return load();
    const entry = this.#fresh(name);
    this.#metrics.cacheLookup('secret', entry !== undefined);
    if (entry) return entry.secret;
    const generation = this.#generation;
    // Ages count from when the load started: the staleness bound is about when the state was read.
    const startedAt = performance.now();
    const secret = await load();
    if (secret && generation === this.#generation && !this.#writing.has(name)) this.#keep(secret, startedAt);
    return secret;
  }

  /** One version's sealed value, from memory or loaded; kept only beside its cached secret. */
  async ciphertext(
    secretId: string,
    versionId: string,
    load: () => Promise<SecretCiphertext | undefined>,
  ): Promise<SecretCiphertext | undefined> {
    if (!this.enabled) return load();
    const name = this.#names.get(secretId);
    const entry = name === undefined ? undefined : this.#fresh(name);
    const held = entry?.secret.id === secretId ? entry.values.get(versionId) : undefined;
    this.#metrics.cacheLookup('secret_value', held !== undefined);
    if (held) return held;
    const generation = this.#generation;
    const ciphertext = await load();
    if (
      ciphertext &&
      entry &&
      generation === this.#generation &&
      this.#byName.get(entry.secret.name) === entry
    ) {
      const size = ciphertext.encryptedDataKey.byteLength + ciphertext.encryptedValue.byteLength;
      entry.values.set(versionId, ciphertext);
      entry.bytes += size;
      this.#bytes += size;
      this.#evict();
    }
    return ciphertext;
  }

  /** Drops what is kept of one secret (by name); loads in flight are not kept. */
  forget(name: string): void {
    this.#generation += 1;
    const entry = this.#byName.get(name);
    if (entry) this.#drop(entry);
  }

  /** A write to the secret begins: forgotten now, and nothing loaded meanwhile is kept. */
  beginWrite(name: string): void {
    const writing = this.#writing.get(name);
    if (writing) {
      writing.inFlight += 1;
      writing.contended = true;
    } else this.#writing.set(name, { inFlight: 1, contended: false, heard: this.#heard });
    this.forget(name);
  }

  /**
   * The write has settled. When it committed and nothing overlapped it — no other write to the secret
   * on this node, no change heard from another node — the state it wrote is the stored state, so it is
   * kept at once, with the value it added: the read that follows a write needs no statement either.
   */
  endWrite(name: string, committed: CommittedWrite | undefined): void {
    const writing = this.#writing.get(name);
    const alone = writing !== undefined && !writing.contended && writing.heard === this.#heard;
    if (writing && --writing.inFlight === 0) this.#writing.delete(name);
    this.forget(name);
    if (!alone || committed === undefined || !this.enabled) return;
    this.#keep(committed.secret, performance.now());
    const { added } = committed;
    if (added) {
      const entry = this.#byName.get(name);
      if (entry) this.#addValue(entry, added.versionId, added.ciphertext);
    }
  }

  /** Drops what is kept of the secret with this id, if any (a write that names it by id). */
  forgetId(secretId: string): void {
    this.#generation += 1;
    const name = this.#names.get(secretId);
    const entry = name === undefined ? undefined : this.#byName.get(name);
    if (entry) this.#drop(entry);
  }

  /** Drops everything (a change whose secret is not known by name, a missed notification). */
  forgetAll(): void {
    this.#generation += 1;
    this.#byName.clear();
    this.#names.clear();
    this.#bytes = 0;
  }

  /** The entry if it is kept and still within the staleness bound; refreshed as most recently used. */
  #fresh(name: string): Entry | undefined {
    const entry = this.#byName.get(name);
    if (!entry) return undefined;
    if (this.#maxStalenessMs !== undefined && performance.now() - entry.loadedAt > this.#maxStalenessMs) {
      this.#drop(entry);
      return undefined;
    }
    this.#byName.delete(name);
    this.#byName.set(name, entry);
    return entry;
  }

  #keep(secret: Secret, loadedAt: number): void {
    const previous = this.#byName.get(secret.name);
    if (previous) this.#drop(previous);
    const entry: Entry = {
      secret,
      loadedAt,
      values: new Map(),
      bytes: ENTRY_OVERHEAD_BYTES,
    };
    this.#byName.set(secret.name, entry);
    this.#names.set(secret.id, secret.name);
    this.#bytes += entry.bytes;
    this.#evict();
  }

  #addValue(entry: Entry, versionId: string, ciphertext: SecretCiphertext): void {
    const size = ciphertext.encryptedDataKey.byteLength + ciphertext.encryptedValue.byteLength;
    entry.values.set(versionId, ciphertext);
    entry.bytes += size;
    this.#bytes += size;
    this.#evict();
  }

  #drop(entry: Entry): void {
    this.#byName.delete(entry.secret.name);
    if (this.#names.get(entry.secret.id) === entry.secret.name) this.#names.delete(entry.secret.id);
    this.#bytes -= entry.bytes;
  }

  #evict(): void {
    while (this.#byName.size > this.#limits.entries || this.#bytes > this.#limits.bytes) {
      const oldest = this.#byName.values().next();
      if (oldest.done) return;
      this.#drop(oldest.value);
    }
  }
}
