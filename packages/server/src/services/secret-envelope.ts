/**
 * Envelope encryption of secret versions (docs/crypto.md): a fresh data key per version, sealed under the
 * secret's CMK; the value sealed under the data key; both layers bound to the secret id and version id
 * (the value also to its data type). Plaintext data keys are zeroed after use. No storage here: the
 * secret service seals before it opens a transaction and opens what it read.
 */
import { DecryptionError } from '../crypto/aead.js';
import type { SecretVersionBinding } from '../crypto/envelope.js';
import { dataKeyContext, newDataKey, openSecretValue, sealSecretValue } from '../crypto/envelope.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Key } from '../domain/key.js';
import type { Secret } from '../domain/secret.js';
import type { SecretCiphertext } from '../storage/store.js';
import type { KeyService } from './key-service.js';

export class SecretEnvelope {
  readonly #keys: KeyService;

  constructor(keys: KeyService) {
    this.#keys = keys;
  }

  /** The key that protects a secret's new versions: the service key or its customer key. */
  async keyOf(secret: Pick<Secret, 'encryptionKeyId'>): Promise<Key> {
    const service = await this.#keys.serviceKey();
    return secret.encryptionKeyId === service.id ? service : this.#keys.resolve(secret.encryptionKeyId);
  }

  /** Seals one value: a fresh data key under the CMK, the value under the data key. */
  async seal(key: Key, binding: SecretVersionBinding, value: string): Promise<SecretCiphertext> {
    const dataKey = newDataKey();
    try {
      const wrapped = await this.#keys.encryptUnder(key, dataKey, dataKeyContext(binding));
      return { encryptedDataKey: wrapped.blob, encryptedValue: sealSecretValue(dataKey, binding, value) };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Opens a stored value; one that does not open under its own binding is an `internal` failure. */
  async open(binding: SecretVersionBinding, ciphertext: SecretCiphertext): Promise<string> {
    let dataKey: Buffer | undefined;
    try {
      dataKey = (await this.#keys.decryptAny(ciphertext.encryptedDataKey, dataKeyContext(binding))).plaintext;
      return openSecretValue(dataKey, binding, ciphertext.encryptedValue);
    } catch (error) {
      // A stored ciphertext that does not open under its own binding was damaged or moved: not the caller's fault.
      if (error instanceof DecryptionError || isDomainError(error, 'invalid_ciphertext')) {
        throw new DomainError(
          'internal',
          'A stored secret version failed its integrity check.',
          {},
          { cause: error },
        );
      }
      throw error;
    } finally {
      dataKey?.fill(0);
    }
  }
}
