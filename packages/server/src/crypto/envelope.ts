/**
 * The envelope formats of the key hierarchy (docs/crypto.md):
 *
 *   root key ──seals──▶ CMK key-version material ──seals──▶ data key ──seals──▶ secret value
 *
 * A CMK ciphertext ("blob") names the key and key version that made it, so decryption needs no key id
 * from the caller; the header is part of the associated data, so editing it breaks the tag.
 */
import { randomBytes } from 'node:crypto';
import { DecryptionError, KEY_BYTES, bindingOf, open, seal } from './aead.js';

const BLOB_FORMAT_V1 = 0x01;

export interface CmkVersionRef {
  readonly keyId: string;
  readonly versionId: string;
}

/** CMK material for one key version, unwrapped, as the keyring holds it in memory. */
export interface CmkMaterial extends CmkVersionRef {
  readonly material: Uint8Array;
}

export function newDataKey(bytes = KEY_BYTES): Buffer {
  return randomBytes(bytes);
}

// ── Root key ⟶ CMK material and access-key secrets ────────────────────────────────────────────────

export function newCmkMaterial(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function wrapCmkMaterial(rootKey: Uint8Array, ref: CmkVersionRef, material: Uint8Array): Buffer {
  return seal(rootKey, material, bindingOf('tessera.cmk-material.v1', ref.keyId, ref.versionId));
}

export function unwrapCmkMaterial(rootKey: Uint8Array, ref: CmkVersionRef, wrapped: Uint8Array): Buffer {
  return open(rootKey, wrapped, bindingOf('tessera.cmk-material.v1', ref.keyId, ref.versionId));
}

export function sealAccessKeySecret(rootKey: Uint8Array, accessKeyId: string, secret: string): Buffer {
  return seal(rootKey, Buffer.from(secret, 'utf8'), bindingOf('tessera.access-key.v1', accessKeyId));
}

/** A rotation webhook's HMAC signing key, sealed under the root key and bound to the webhook's name. */
export function sealWebhookSigningKey(rootKey: Uint8Array, name: string, key: Uint8Array): Buffer {
  return seal(rootKey, key, bindingOf('tessera.rotation-webhook.v1', name));
}

export function openWebhookSigningKey(rootKey: Uint8Array, name: string, sealed: Uint8Array): Buffer {
  return open(rootKey, sealed, bindingOf('tessera.rotation-webhook.v1', name));
}

export function openAccessKeySecret(rootKey: Uint8Array, accessKeyId: string, sealed: Uint8Array): string {
  return open(rootKey, sealed, bindingOf('tessera.access-key.v1', accessKeyId)).toString('utf8');
}

// ── CMK ⟶ arbitrary plaintext (data keys, the Encrypt API) ──────────────────────────────────────────

function blobHeader(ref: CmkVersionRef): Buffer {
  const keyId = Buffer.from(ref.keyId, 'utf8');
  const versionId = Buffer.from(ref.versionId, 'utf8');
  if (keyId.length > 255 || versionId.length > 255) throw new RangeError('key ids are at most 255 bytes');
  return Buffer.concat([
    Buffer.of(BLOB_FORMAT_V1, keyId.length),
    keyId,
    Buffer.of(versionId.length),
    versionId,
  ]);
}

/** Reads which key version made a blob, without decrypting it. */
export function parseCmkBlob(
  blob: Uint8Array,
): CmkVersionRef & { readonly header: Buffer; readonly body: Buffer } {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (bytes.length < 3 || bytes[0] !== BLOB_FORMAT_V1)
    throw new DecryptionError('The ciphertext blob is malformed.');
  const keyIdLength = bytes[1] ?? 0;
  const versionLengthAt = 2 + keyIdLength;
  if (bytes.length <= versionLengthAt) throw new DecryptionError('The ciphertext blob is malformed.');
  const versionIdLength = bytes[versionLengthAt] ?? 0;
  const headerLength = versionLengthAt + 1 + versionIdLength;
  if (bytes.length <= headerLength) throw new DecryptionError('The ciphertext blob is malformed.');
  return {
    keyId: bytes.subarray(2, versionLengthAt).toString('utf8'),
    versionId: bytes.subarray(versionLengthAt + 1, headerLength).toString('utf8'),
    header: bytes.subarray(0, headerLength),
    body: bytes.subarray(headerLength),
  };
}

/** Encrypts under a CMK version; `context` (e.g. an encryption context) must be given again to decrypt. */
export function encryptWithCmk(cmk: CmkMaterial, plaintext: Uint8Array, context: Uint8Array): Buffer {
  const header = blobHeader(cmk);
  return Buffer.concat([header, seal(cmk.material, plaintext, Buffer.concat([header, context]))]);
}

export function decryptWithCmk(cmk: CmkMaterial, blob: Uint8Array, context: Uint8Array): Buffer {
  const parsed = parseCmkBlob(blob);
  if (parsed.keyId !== cmk.keyId || parsed.versionId !== cmk.versionId) throw new DecryptionError();
  return open(cmk.material, parsed.body, Buffer.concat([parsed.header, context]));
}

// ── Data key ⟶ secret value ────────────────────────────────────────────────────────────────────────

/** Where a secret version's ciphertext belongs; both layers of its envelope are bound to it. */
export interface SecretVersionBinding {
  readonly secretId: string;
  readonly versionId: string;
  readonly dataType: string;
}

export function dataKeyContext(binding: SecretVersionBinding): Buffer {
  return bindingOf('tessera.secret-data-key.v1', binding.secretId, binding.versionId);
}

export function sealSecretValue(dataKey: Uint8Array, binding: SecretVersionBinding, value: string): Buffer {
  return seal(dataKey, Buffer.from(value, 'utf8'), secretValueBinding(binding));
}

export function openSecretValue(
  dataKey: Uint8Array,
  binding: SecretVersionBinding,
  sealed: Uint8Array,
): string {
  return open(dataKey, sealed, secretValueBinding(binding)).toString('utf8');
}

function secretValueBinding(binding: SecretVersionBinding): Buffer {
  return bindingOf('tessera.secret-value.v1', binding.secretId, binding.versionId, binding.dataType);
}

/**
 * A console user's TOTP secret, sealed under the root key. Bound to its purpose only: a user's rename
 * keeps it, and whoever could swap sealed secrets between rows could as well replace password hashes.
 */
export function sealMfaSecret(rootKey: Uint8Array, secret: Uint8Array): Buffer {
  return seal(rootKey, secret, bindingOf('tessera.mfa-secret.v1'));
}

export function openMfaSecret(rootKey: Uint8Array, sealed: Uint8Array): Buffer {
  return open(rootKey, sealed, bindingOf('tessera.mfa-secret.v1'));
}
