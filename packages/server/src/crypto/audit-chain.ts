/**
 * The audit trail's chain hash: HMAC-SHA-256 under a key derived from the root key (HKDF-SHA-256, its
 * own label). Keyed rather than a bare SHA-256, so that someone who can edit the database but does not
 * hold the root key cannot recompute the chain after changing or removing an event (docs/audit.md).
 */
import { createHmac, hkdfSync } from 'node:crypto';

import { KEY_BYTES } from './aead.js';

const CHAIN_KEY_INFO = 'tessera.audit-chain.v1';

/** The chain key for this root key; the same root key always gives the same chain key. */
export function auditChainKey(rootKey: Uint8Array): Buffer {
  if (rootKey.length !== KEY_BYTES) throw new RangeError('The root key must be 32 bytes.');
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), CHAIN_KEY_INFO, KEY_BYTES));
}

/** The hex HMAC-SHA-256 of a record's canonical encoding (UTF-8) under the chain key. */
export function auditChainHash(chainKey: Uint8Array, canonical: string): string {
  return createHmac('sha256', chainKey).update(canonical, 'utf8').digest('hex');
}

const HEAD_KEY_INFO = 'tessera.audit-head.v1';

/** The key that seals the chain head kept beside the data (docs/audit.md, "Sealed head"). */
export function auditHeadKey(rootKey: Uint8Array): Buffer {
  if (rootKey.length !== KEY_BYTES) throw new RangeError('The root key must be 32 bytes.');
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), HEAD_KEY_INFO, KEY_BYTES));
}

/** The hex HMAC-SHA-256 that seals a chain head (its seq and hash) under the head key. */
export function auditHeadSeal(headKey: Uint8Array, seq: number, hash: string): string {
  return createHmac('sha256', headKey).update(`tessera.audit-head.v1:${seq}:${hash}`, 'utf8').digest('hex');
}
