/**
 * Every use of a customer master key's material: Encrypt, GenerateDataKey and Decrypt for API callers,
 * and the same under the service key for the data keys of secret versions. Key lifecycle (creating,
 * rotating, disabling) is `key-service.ts`; this module only resolves a key, checks it may be used, and
 * asks the keyring for its material.
 */
import { DecryptionError, bindingOf } from '../crypto/aead.js';
import type { CmkVersionRef } from '../crypto/envelope.js';
import { decryptWithCmk, encryptWithCmk, newDataKey, parseCmkBlob } from '../crypto/envelope.js';
import { DomainError } from '../domain/errors.js';
import type { DataKeySpec, EncryptionContext, Key } from '../domain/key.js';
import {
  assertKeyUsable,
  canonicalEncryptionContext,
  dataKeyLength,
  isKeyExpired,
  validateEncryptPlaintext,
} from '../domain/key.js';
import type { Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import type { CmkKeyring } from './cmk-keyring.js';
import type { KeyCache } from './key-cache.js';

export interface CmkCiphertext {
  readonly blob: Buffer;
  readonly keyId: string;
  readonly versionId: string;
}

export interface CmkPlaintext {
  readonly plaintext: Buffer;
  readonly keyId: string;
  readonly versionId: string;
}

/**
 * Runs on the key a cryptographic call resolved, before its state is checked or its material used: the
 * caller's access check (the protocol adapter's), so a refused caller learns nothing about the key.
 */
export type KeyGuard = (key: Key) => Promise<void>;

export interface KeyCryptoOptions {
  readonly store: Store;
  readonly keyring: CmkKeyring;
  readonly cache: KeyCache;
  readonly clock: Clock;
  /** Resolves a key reference of the API (id, ARN, alias) to a live customer key. */
  readonly resolve: (reference: string) => Promise<Key>;
}

export class KeyCrypto {
  readonly #store: Store;
  readonly #keyring: CmkKeyring;
  readonly #cache: KeyCache;
  readonly #clock: Clock;
  readonly #resolve: (reference: string) => Promise<Key>;

  constructor(options: KeyCryptoOptions) {
    this.#store = options.store;
    this.#keyring = options.keyring;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#resolve = options.resolve;
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
    validateEncryptPlaintext(plaintext.byteLength);
    const key = await this.#resolve(reference);
    if (guard) await guard(key);
    return this.encryptUnder(key, plaintext, encryptionContextBinding(context));
  }

  /** Like `encrypt`, for a key the caller has already loaded (secrets use the service key too). */
  async encryptUnder(key: Key, plaintext: Uint8Array, context: Uint8Array): Promise<CmkCiphertext> {
    assertKeyUsable(key);
    const cmk = await this.#keyring.material({ keyId: key.id, versionId: key.primaryVersionId });
    return { blob: encryptWithCmk(cmk, plaintext, context), keyId: key.id, versionId: key.primaryVersionId };
  }

  /**
   * A fresh random data key (GenerateDataKey): `numberOfBytes` if given, else the spec's size. The blob
   * seals the key's base64 text, not its raw bytes, so `decrypt` of the blob returns exactly the text
   * GenerateDataKey handed out (the real service's Decrypt also answers a data key in base64).
   */
  async generateDataKey(
    reference: string,
    spec: DataKeySpec,
    numberOfBytes: number | undefined,
    context: EncryptionContext,
    guard?: KeyGuard,
  ): Promise<CmkCiphertext & { readonly plaintext: Buffer }> {
    const plaintext = newDataKey(dataKeyLength(spec, numberOfBytes));
    const text = Buffer.from(plaintext.toString('base64'), 'utf8');
    try {
      return { ...(await this.encrypt(reference, text, context, guard)), plaintext };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    } finally {
      text.fill(0);
    }
  }

  /** Decrypts a blob made by `encrypt`; the blob names its key version, so no key id is needed. */
  async decrypt(blob: Uint8Array, context: EncryptionContext, guard?: KeyGuard): Promise<CmkPlaintext> {
    return this.#decrypt(blob, encryptionContextBinding(context), 'customer', guard);
  }

  /** Like `decrypt`, but also for blobs under the service key: the data keys of secret versions. */
  async decryptAny(blob: Uint8Array, context: Uint8Array): Promise<CmkPlaintext> {
    return this.#decrypt(blob, context, 'any');
  }

  /**
   * ReEncrypt: opens a blob under its own key and context, and seals the bytes under the destination
   * key and context. The bytes never leave this method; `guards` check the caller on each key.
   */
  async reEncrypt(input: {
    blob: Uint8Array;
    sourceContext: EncryptionContext;
    destination: string;
    destinationContext: EncryptionContext;
    guards?: { readonly source: KeyGuard; readonly destination: KeyGuard };
  }): Promise<CmkCiphertext & { readonly source: CmkVersionRef }> {
    const destination = await this.#resolve(input.destination);
    const opened = await this.#decrypt(
      input.blob,
      encryptionContextBinding(input.sourceContext),
      'customer',
      input.guards?.source,
    );
    try {
      if (input.guards) await input.guards.destination(destination);
      const sealed = await this.encryptUnder(
        destination,
        opened.plaintext,
        encryptionContextBinding(input.destinationContext),
      );
      return { ...sealed, source: { keyId: opened.keyId, versionId: opened.versionId } };
    } finally {
      opened.plaintext.fill(0);
    }
  }

  /**
   * The re-wrap of one secret version's data key: sealed again under the primary version of the key
   * that sealed it. `current` when it already is; `skipped` when that key is not enabled (a disabled
   * key or one pending deletion is not used, as for any other use of the key).
   */
  async rewrapDataKey(
    blob: Uint8Array,
    context: Uint8Array,
  ): Promise<
    { readonly outcome: 'current' | 'skipped' } | { readonly outcome: 'rewrapped'; readonly blob: Buffer }
  > {
    const ref = parseCmkBlob(blob);
    const key = await this.#store.keys.get(ref.keyId);
    if (!key || key.state !== 'enabled' || isKeyExpired(key, this.#clock.now()))
      return { outcome: 'skipped' };
    if (ref.versionId === key.primaryVersionId) return { outcome: 'current' };
    const opened = await this.#decrypt(blob, context, 'any');
    try {
      return { outcome: 'rewrapped', blob: (await this.encryptUnder(key, opened.plaintext, context)).blob };
    } finally {
      opened.plaintext.fill(0);
    }
  }

  async #decrypt(
    blob: Uint8Array,
    context: Uint8Array,
    owners: 'customer' | 'any',
    guard?: KeyGuard,
  ): Promise<CmkPlaintext> {
    let ref: CmkVersionRef;
    try {
      ref = parseCmkBlob(blob);
    } catch (error) {
      throw asInvalidCiphertext(error);
    }
    const key = await this.#cache.get(ref.keyId, () => this.#store.keys.get(ref.keyId));
    if (!key || (owners === 'customer' && key.owner !== 'customer') || isKeyExpired(key, this.#clock.now())) {
      throw new DomainError('key_not_found', `The key "${ref.keyId}" does not exist.`, {
        resource: ref.keyId,
      });
    }
    if (guard) await guard(key);
    assertKeyUsable(key);
    const cmk = await this.#keyring.material(ref);
    try {
      return { plaintext: decryptWithCmk(cmk, blob, context), keyId: ref.keyId, versionId: ref.versionId };
    } catch (error) {
      throw asInvalidCiphertext(error);
    }
  }
}

/** The associated data of an Encrypt blob: its own purpose label, so it never equals a data-key binding. */
function encryptionContextBinding(context: EncryptionContext): Buffer {
  return bindingOf('tessera.encryption-context.v1', ...canonicalEncryptionContext(context));
}

function asInvalidCiphertext(cause: unknown): Error {
  if (cause instanceof DecryptionError) {
    return new DomainError('invalid_ciphertext', undefined, { field: 'ciphertextBlob' }, { cause });
  }
  return cause instanceof Error ? cause : new Error(String(cause));
}
