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
