/**
 * AES-256-GCM with a versioned, self-delimiting layout: `format (1) | nonce (12) | ciphertext | tag (16)`.
 * Every seal draws a fresh random 96-bit nonce; callers must bind each ciphertext to its place with
 * `aad` so that a ciphertext copied to another record fails to open (docs/crypto.md).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const AEAD_FORMAT_V1 = 0x01;
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** Raised when a ciphertext is malformed, was made under another key, or is bound to another place. */
export class DecryptionError extends Error {
  constructor(message = 'The ciphertext cannot be decrypted with this key and context.') {
    super(message);
    this.name = 'DecryptionError';
  }
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key.');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(AEAD_FORMAT_V1), nonce, body, cipher.getAuthTag()]);
}

export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key.');
  if (sealed.length < OVERHEAD || sealed[0] !== AEAD_FORMAT_V1) throw new DecryptionError();
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}

/**
 * Builds associated data from a purpose label and the identifiers a ciphertext belongs to. Parts are
 * length-prefixed, so no choice of identifiers can make two different tuples encode the same bytes.
 */
export function bindingOf(purpose: string, ...parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of [purpose, ...parts]) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}
