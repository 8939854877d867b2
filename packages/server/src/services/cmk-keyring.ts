/**
 * CMK key-version material under the root key: wrapped for storage when a key version is made, and
 * unwrapped on first use and then cached in memory (material never changes once made). The only place
 * that holds unwrapped CMK material; key state is not its concern (the key service checks it on every
 * use, through its own cache, so disabling a key takes effect at once).
 */
import type { CmkMaterial, CmkVersionRef } from '../crypto/envelope.js';
import { unwrapCmkMaterial, wrapCmkMaterial } from '../crypto/envelope.js';
import { DomainError } from '../domain/errors.js';
import type { KeyRepository } from '../storage/store.js';

/** Key versions whose material stays unwrapped at once; past it the least recently added goes first. */
const CACHE_ENTRIES = 4096;

export class CmkKeyring {
  readonly #rootKey: Uint8Array;
  readonly #keys: Pick<KeyRepository, 'getWrappedMaterial'>;
  /** keyId/versionId → unwrapped material; insertion-ordered, so the oldest entry is evicted first. */
  readonly #cache = new Map<string, Buffer>();

  constructor(rootKey: Uint8Array, keys: Pick<KeyRepository, 'getWrappedMaterial'>) {
    this.#rootKey = rootKey;
    this.#keys = keys;
  }

  /** The material sealed under the root key, bound to its key version, ready to store. */
  wrap(ref: CmkVersionRef, material: Uint8Array): Buffer {
    return wrapCmkMaterial(this.#rootKey, ref, material);
  }

  /** Keeps material just stored, so its first use needs no unwrap. */
  remember(ref: CmkVersionRef, material: Buffer): void {
    if (this.#cache.size >= CACHE_ENTRIES) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(cacheKey(ref), material);
  }

  /** The unwrapped material of a key version; `key_version_not_found` when it is not stored. */
  async material(ref: CmkVersionRef): Promise<CmkMaterial> {
    let material = this.#cache.get(cacheKey(ref));
    if (!material) {
      const wrapped = await this.#keys.getWrappedMaterial(ref.keyId, ref.versionId);
      if (!wrapped) {
        throw new DomainError(
          'key_version_not_found',
          `The key "${ref.keyId}" has no version "${ref.versionId}".`,
          { resource: ref.versionId },
        );
      }
      material = unwrapCmkMaterial(this.#rootKey, ref, wrapped);
      this.remember(ref, material);
    }
    return { keyId: ref.keyId, versionId: ref.versionId, material };
  }

  /** Drops every cached version of a destroyed key. */
  forget(keyId: string): void {
    for (const cached of [...this.#cache.keys()])
      if (cached.startsWith(`${keyId}/`)) this.#cache.delete(cached);
  }
}

function cacheKey(ref: CmkVersionRef): string {
  return `${ref.keyId}/${ref.versionId}`;
}
