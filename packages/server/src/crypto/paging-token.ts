/**
 * Paging tokens (NextToken, Marker) sealed with AES-256-GCM under a key derived from the root key
 * (HKDF-SHA-256, its own label). A token hides the position it carries — even its length says nothing
 * about it, the plaintext is padded to a fixed block — and opens only with the binding it was sealed
 * with (the listing, the caller, the query), so it can be neither read, forged, nor used by another
 * caller (docs/permissions.md, "Paging tokens").
 */
import { hkdfSync } from 'node:crypto';

import { bindingOf, DecryptionError, KEY_BYTES, open, seal } from './aead.js';

const PAGING_KEY_INFO = 'tessera.paging-token.v1';
const PURPOSE = 'tessera.paging-token';
/** Positions are padded to a multiple of this many bytes. */
const PAD_BLOCK = 32;
/** Longest token accepted: a position of up to ~470 bytes sealed and base64url-encoded. */
const MAX_TOKEN_CHARS = 680;
const PAD_MARK = 0x80;

/** The paging-token key for this root key; the same root key always gives the same paging key. */
export function pagingTokenKey(rootKey: Uint8Array): Buffer {
  if (rootKey.length !== KEY_BYTES) throw new RangeError('The root key must be 32 bytes.');
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), PAGING_KEY_INFO, KEY_BYTES));
}

/** Seals `position` (any text) for `binding`; base64url, no padding. */
export function sealPagingToken(key: Uint8Array, binding: readonly string[], position: string): string {
  const text = Buffer.from(position, 'utf8');
  // ISO/IEC 7816-4 padding: a 0x80 mark, then zeros up to the block.
  const padded = Buffer.alloc(Math.ceil((text.length + 1) / PAD_BLOCK) * PAD_BLOCK);
  text.copy(padded);
  padded[text.length] = PAD_MARK;
  return seal(key, padded, bindingOf(PURPOSE, ...binding)).toString('base64url');
}

/** The position sealed in `token` for `binding`; undefined for anything else (malformed, foreign, forged). */
export function openPagingToken(
  key: Uint8Array,
  binding: readonly string[],
  token: string,
): string | undefined {
  if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let padded: Buffer;
  try {
    padded = open(key, Buffer.from(token, 'base64url'), bindingOf(PURPOSE, ...binding));
  } catch (error) {
    if (error instanceof DecryptionError) return undefined;
    throw error;
  }
  const mark = padded.lastIndexOf(PAD_MARK);
  if (mark < 0 || padded.subarray(mark + 1).some((byte) => byte !== 0)) return undefined;
  return padded.subarray(0, mark).toString('utf8');
}
