/**
 * Customer master keys: lifecycle, aliases and key versions. The root key never leaves this service;
 * unwrapped CMK material is cached in memory (it is immutable per key version); key metadata is cached
 * too (`key-cache.ts`) and forgotten as soon as any key change has committed, so that disabling a key
 * takes effect at once on this node (and on the others sharing the database within the change feed's
 * bound, docs/caching.md). Every use of key material (Encrypt, Decrypt, data keys) is `key-crypto.ts`.
 */
import { randomUUID } from 'node:crypto';
import { newCmkMaterial } from '../crypto/envelope.js';
import { DomainError } from '../domain/errors.js';
import type { Alias, DataKeySpec, EncryptionContext, Key, KeyState, KeyVersion } from '../domain/key.js';
import {
  assertAliasTargetAllowed,
  assertKeyModifiable,
  cancelKeyDeletion,
  disableKey,
  enableKey,
  isKeyExpired,
  newKey,
  rotateKey,
  scheduleKeyDeletion,
  updateKeyDescription,
  validateAliasName,
} from '../domain/key.js';
import { isKeyRotationDue, updateKeyRotationPolicy } from '../domain/key-rotation.js';
import { mergeTags, DEFAULT_SECRET_LIMITS } from '../domain/secret.js';
import type { Tag } from '../domain/validation.js';
import { validateTagKey } from '../domain/validation.js';
import type { Page, Repositories, Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import { CmkKeyring } from './cmk-keyring.js';
import type { ChangeFeed } from './change-feed.js';
import { KeyCache } from './key-cache.js';
import type { CmkCiphertext, CmkPlaintext, KeyGuard } from './key-crypto.js';
import type { MetricsRecorder } from './metrics.js';
import { KeyCrypto } from './key-crypto.js';
import { randomId } from './ids.js';

export interface KeyServiceOptions {
  readonly store: Store;
  readonly rootKey: Uint8Array;
  readonly clock: Clock;
  /** How key changes reach other nodes' caches and theirs this one's (default: a single node). */
  readonly changes?: ChangeFeed;
  readonly metrics?: MetricsRecorder;
}

export interface Paging {
  readonly offset: number;
  readonly limit: number;
}

export class KeyService {
  readonly #store: Store;
  readonly #keyring: CmkKeyring;
  readonly #clock: Clock;
  readonly #cache: KeyCache;
  readonly #crypto: KeyCrypto;

  constructor(options: KeyServiceOptions) {
    this.#cache = new KeyCache({
      ...(options.changes ? { changes: options.changes } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    this.#store = options.store;
    this.#keyring = new CmkKeyring(options.rootKey, options.store.keys);
    this.#clock = options.clock;
    this.#crypto = new KeyCrypto({
      store: options.store,
      keyring: this.#keyring,
      cache: this.#cache,
      clock: options.clock,
      resolve: (reference) => this.resolve(reference),
    });
  }

  /** Creates the service key on first start; it protects secrets created without an EncryptionKeyId. */
  async ensureServiceKey(): Promise<Key> {
    const existing = await this.#store.keys.getServiceKey();
    if (existing) return existing;
    return this.#insertKey({
      description: 'Tessera default service key for secrets',
      owner: 'service',
      tags: [],
    });
  }

  async serviceKey(): Promise<Key> {
    const key = await this.#cache.serviceKey(() => this.#store.keys.getServiceKey());
    if (!key) throw new DomainError('internal', 'The service key is missing.');
    return key;
  }

  /** `rotationIntervalSeconds` turns automatic rotation on (`domain/key-rotation.ts`). */
  async createKey(input: {
    description: string;
    tags: readonly Tag[];
    rotationIntervalSeconds?: number | null;
  }): Promise<Key> {
    const tags = mergeTags([], input.tags, DEFAULT_SECRET_LIMITS);
    return this.#insertKey({ ...input, owner: 'customer', tags });
  }

  async #insertKey(input: {
    description: string;
    owner: Key['owner'];
    tags: readonly Tag[];
    rotationIntervalSeconds?: number | null;
  }): Promise<Key> {
    const now = this.#clock.now();
    const key = newKey({ id: `key-${randomId(24)}`, versionId: randomUUID(), ...input, now });
    const version: KeyVersion = { keyId: key.id, versionId: key.primaryVersionId, createdAt: now };
    const material = newCmkMaterial();
    await this.#store.keys.insert(key, version, this.#keyring.wrap(version, material));
    this.#cache.invalidate();
    this.#keyring.remember(version, material);
    return key;
  }

  /**
   * Resolves a key reference the API accepts — key id, key ARN, `alias/…` or alias ARN — to a live
   * customer key. The service key is not addressable through the API.
   */
  async resolve(reference: string, repos: Repositories = this.#store): Promise<Key> {
    const keyId = await this.#resolveId(reference, repos);
    // Inside a transaction the transaction's own view counts, not the cache.
    const key =
      repos === this.#store
        ? await this.#cache.get(keyId, () => repos.keys.get(keyId))
        : await repos.keys.get(keyId);
    if (!key || key.owner !== 'customer' || isKeyExpired(key, this.#clock.now())) {
      throw new DomainError('key_not_found', `The key "${reference}" does not exist.`, {
        resource: reference,
      });
    }
    return key;
  }

  async #resolveId(reference: string, repos: Repositories): Promise<string> {
    const arnTail = /^acs:kms:[^:]*:[^:]*:(key|alias)\/(.+)$/.exec(reference);
    const kind = arnTail ? arnTail[1] : reference.startsWith('alias/') ? 'alias' : 'key';
    const name = arnTail ? (arnTail[2] ?? '') : reference;
    if (kind === 'key') return name;
    const aliasName = name.startsWith('alias/') ? name : `alias/${name}`;
    const alias = await repos.aliases.get(aliasName);
    if (!alias) throw aliasNotFound(aliasName);
    return alias.keyId;
  }

  async describeKey(reference: string): Promise<Key> {
    return this.resolve(reference);
  }

  /** Customer keys, oldest first; `states` keeps keys in any of them, and an empty list matches nothing. */
  async listKeys(query: Paging & { states?: readonly KeyState[] | undefined }): Promise<Page<Key>> {
    if (query.states?.length === 0) return { items: [], total: 0 };
    // Keys whose deletion window has ended are gone; destroy them before listing (rarely any).
    await this.purgeExpired();
    return this.#store.keys.list({ owner: 'customer', ...query });
  }

  async enableKey(reference: string): Promise<Key> {
    return this.#change(reference, enableKey);
  }

  async disableKey(reference: string): Promise<Key> {
    return this.#change(reference, disableKey);
  }

  async scheduleKeyDeletion(reference: string, pendingWindowDays: number): Promise<Key> {
    return this.#change(reference, (key) => scheduleKeyDeletion(key, pendingWindowDays, this.#clock.now()));
  }

  async cancelKeyDeletion(reference: string): Promise<Key> {
    return this.#change(reference, cancelKeyDeletion);
  }

  async updateKeyDescription(reference: string, description: string): Promise<Key> {
    return this.#change(reference, (key) => updateKeyDescription(key, description));
  }

  async tagKey(reference: string, tags: readonly Tag[]): Promise<Key> {
    return this.#change(reference, withTags(tags));
  }

  async untagKey(reference: string, tagKeys: readonly string[]): Promise<Key> {
    return this.#change(reference, withoutTags(tagKeys));
  }

  /** Tags several keys in one transaction: every one of them changes, or none does. */
  async tagKeys(references: readonly string[], tags: readonly Tag[]): Promise<void> {
    await this.#changeEach(references, withTags(tags));
  }

  /**
   * Removes tags from several keys in one transaction (every tag each key carries when `tagKeys` is
   * undefined): every one of them changes, or none does.
   */
  async untagKeys(references: readonly string[], tagKeys: readonly string[] | undefined): Promise<void> {
    await this.#changeEach(references, withoutTags(tagKeys));
  }

  /** Read-modify-write of one key under a row lock, so concurrent state changes do not interleave. */
  async #change(reference: string, apply: (key: Key) => Key): Promise<Key> {
    try {
      return await this.#store.transaction((tx) => this.#apply(tx, reference, apply));
    } finally {
      this.#cache.invalidate();
    }
  }

  /** `#change` for several keys in one transaction: a rule refusing any of them changes none. */
  async #changeEach(references: readonly string[], apply: (key: Key) => Key): Promise<void> {
    try {
      await this.#store.transaction(async (tx) => {
        for (const reference of references) await this.#apply(tx, reference, apply);
      });
    } finally {
      this.#cache.invalidate();
    }
  }

  async #apply(tx: Repositories, reference: string, apply: (key: Key) => Key): Promise<Key> {
    const changed = apply(await this.#locked(tx, reference));
    await tx.keys.save(changed);
    return changed;
  }

  /** The key a reference names, read under a row lock for the rest of the transaction. */
  async #locked(tx: Repositories, reference: string): Promise<Key> {
    const found = await this.resolve(reference, tx);
    return (await tx.keys.get(found.id, { forUpdate: true })) ?? found;
  }

  /** UpdateRotationPolicy: `null` turns automatic rotation off. */
  async updateRotationPolicy(reference: string, rotationIntervalSeconds: number | null): Promise<Key> {
    return this.#change(reference, (key) => updateKeyRotationPolicy(key, rotationIntervalSeconds));
  }

  /** Ids of customer keys whose automatic rotation is due now, at most `limit`. */
  async listDueForRotation(limit: number): Promise<string[]> {
    return this.#store.keys.listDueForRotation(this.#clock.now(), limit);
  }

  /**
   * The automatic rotation of one key: a new version, unless the key is no longer due when its row is
   * locked — another process rotated it first, or it was disabled — so each due rotation happens once.
   */
  async rotateIfDue(keyId: string): Promise<KeyVersion | undefined> {
    return this.#addVersion(await this.resolve(keyId), (key, now) => isKeyRotationDue(key, now));
  }

  /** Key rotation: a new key version becomes primary; blobs made under older versions still decrypt. */
  async createKeyVersion(reference: string): Promise<KeyVersion> {
    const version = await this.#addVersion(await this.resolve(reference), () => true);
    if (!version) throw new DomainError('internal', 'A key version was not created.');
    return version;
  }

  async #addVersion(
    target: Key,
    wanted: (locked: Key, now: number) => boolean,
  ): Promise<KeyVersion | undefined> {
    const version: KeyVersion = { keyId: target.id, versionId: randomUUID(), createdAt: this.#clock.now() };
    const material = newCmkMaterial();
    // Sealed before the transaction: no crypto work inside one (docs/crypto.md, invariant 4).
    const wrapped = this.#keyring.wrap(version, material);
    let added: boolean;
    try {
      added = await this.#store.transaction(async (tx) => {
        const locked = await this.#locked(tx, target.id);
        if (!wanted(locked, version.createdAt)) return false;
        await tx.keys.addVersion(version, wrapped);
        await tx.keys.save(rotateKey(locked, version.versionId, version.createdAt));
        return true;
      });
    } finally {
      this.#cache.invalidate();
    }
    if (!added) {
      material.fill(0);
      return undefined;
    }
    this.#keyring.remember(version, material);
    return version;
  }

  async listKeyVersions(reference: string, guard?: KeyGuard): Promise<KeyVersion[]> {
    const key = await this.resolve(reference);
    if (guard) await guard(key);
    return this.#store.keys.listVersions(key.id);
  }

  /** One page of a key's versions, oldest first. */
  async pageKeyVersions(reference: string, paging: Paging, guard?: KeyGuard): Promise<Page<KeyVersion>> {
    const versions = await this.listKeyVersions(reference, guard);
    return { items: versions.slice(paging.offset, paging.offset + paging.limit), total: versions.length };
  }

  async describeKeyVersion(reference: string, versionId: string, guard?: KeyGuard): Promise<KeyVersion> {
    const versions = await this.listKeyVersions(reference, guard);
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) {
      throw new DomainError(
        'key_version_not_found',
        `The key "${reference}" has no version "${versionId}".`,
        {
          resource: versionId,
        },
      );
    }
    return version;
  }

  async createAlias(aliasName: string, keyReference: string): Promise<Alias> {
    validateAliasName(aliasName);
    return this.#store.transaction(async (tx) => {
      const key = await this.resolve(keyReference, tx);
      assertAliasTargetAllowed(key);
      const alias = { name: aliasName, keyId: key.id };
      await tx.aliases.insert(alias);
      return alias;
    });
  }

  async updateAlias(aliasName: string, keyReference: string): Promise<Alias> {
    validateAliasName(aliasName);
    return this.#store.transaction(async (tx) => {
      if (!(await tx.aliases.get(aliasName))) throw aliasNotFound(aliasName);
      const key = await this.resolve(keyReference, tx);
      assertKeyModifiable(key);
      const alias = { name: aliasName, keyId: key.id };
      await tx.aliases.update(alias);
      return alias;
    });
  }

  async deleteAlias(aliasName: string): Promise<void> {
    if (!(await this.#store.aliases.delete(aliasName))) throw aliasNotFound(aliasName);
  }

  async listAliases(query: Paging & { keyReference?: string | undefined }): Promise<Page<Alias>> {
    const keyId = query.keyReference === undefined ? undefined : (await this.resolve(query.keyReference)).id;
    await this.purgeExpired();
    return this.#store.aliases.list({ keyId, offset: query.offset, limit: query.limit });
  }

  /**
   * The Encrypt API: seals caller bytes (at most 6 KB) under the key's primary version, bound to the
   * encryption context; `decrypt` with the same context gives the bytes back.
   */
  async encrypt(
    reference: string,
    plaintext: Uint8Array,
    context: EncryptionContext,
    guard?: KeyGuard,
  ): Promise<CmkCiphertext> {
    return this.#crypto.encrypt(reference, plaintext, context, guard);
  }

  /** Like `encrypt`, for a key the caller has already loaded (secrets use the service key too). */
  async encryptUnder(key: Key, plaintext: Uint8Array, context: Uint8Array): Promise<CmkCiphertext> {
    return this.#crypto.encryptUnder(key, plaintext, context);
  }

  /** A fresh random data key (GenerateDataKey), sealed under the key; see `KeyCrypto.generateDataKey`. */
  async generateDataKey(
    reference: string,
    spec: DataKeySpec,
    numberOfBytes: number | undefined,
    context: EncryptionContext,
    guard?: KeyGuard,
  ): Promise<CmkCiphertext & { readonly plaintext: Buffer }> {
    return this.#crypto.generateDataKey(reference, spec, numberOfBytes, context, guard);
  }

  /** Decrypts a blob made by `encrypt`; the blob names its key version, so no key id is needed. */
  async decrypt(blob: Uint8Array, context: EncryptionContext, guard?: KeyGuard): Promise<CmkPlaintext> {
    return this.#crypto.decrypt(blob, context, guard);
  }

  /** Like `decrypt`, but also for blobs under the service key: the data keys of secret versions. */
  async decryptAny(blob: Uint8Array, context: Uint8Array): Promise<CmkPlaintext> {
    return this.#crypto.decryptAny(blob, context);
  }

  /** ReEncrypt; see `KeyCrypto.reEncrypt`. */
  async reEncrypt(input: Parameters<KeyCrypto['reEncrypt']>[0]): ReturnType<KeyCrypto['reEncrypt']> {
    return this.#crypto.reEncrypt(input);
  }

  /** One secret version's data key under its key's newest version; see `KeyCrypto.rewrapDataKey`. */
  async rewrapDataKey(blob: Uint8Array, context: Uint8Array): ReturnType<KeyCrypto['rewrapDataKey']> {
    return this.#crypto.rewrapDataKey(blob, context);
  }

  /** Destroys keys whose pending window has ended; returns how many. */
  async purgeExpired(limit = 100): Promise<number> {
    const expired = await this.#store.keys.listExpired(this.#clock.now(), limit);
    for (const keyId of expired) {
      try {
        await this.#store.keys.destroy(keyId);
      } finally {
        this.#cache.invalidate();
      }
      this.#keyring.forget(keyId);
    }
    return expired.length;
  }
}

/** Adds tags to a key (overwriting the values of keys it already carries); refused while it is pending deletion. */
function withTags(tags: readonly Tag[]): (key: Key) => Key {
  return (key) => {
    assertKeyModifiable(key);
    return { ...key, tags: mergeTags(key.tags, tags, DEFAULT_SECRET_LIMITS) };
  };
}

/** Removes tags from a key by tag key (every tag when `tagKeys` is undefined); refused while it is pending deletion. */
function withoutTags(tagKeys: readonly string[] | undefined): (key: Key) => Key {
  tagKeys?.forEach(validateTagKey);
  return (key) => {
    assertKeyModifiable(key);
    const drop = new Set(tagKeys ?? key.tags.map((t) => t.key));
    return { ...key, tags: key.tags.filter((t) => !drop.has(t.key)) };
  };
}

function aliasNotFound(aliasName: string): DomainError {
  return new DomainError('alias_not_found', `The alias "${aliasName}" does not exist.`, {
    resource: aliasName,
  });
}
