/**
 * The backup file format (docs/operations.md): a plain JSON header line, then frames, each
 * `length (4, big-endian) | AES-256-GCM sealed payload`. The frame key is derived from the root key
 * (HKDF-SHA-256 with the header's random salt), so only the root key reads a backup; every frame is
 * bound to the header, its index and whether it is the last, so a frame edited, dropped, reordered or
 * cut off makes the file fail to open. The header carries nothing secret.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';

import { KEY_BYTES, bindingOf, open, seal } from './aead.js';

export const BACKUP_FORMAT = 'tessera-backup';
export const BACKUP_FORMAT_VERSION = 1;
const KEY_INFO = 'tessera.backup.v1';
/** Frames larger than this are refused on reading (a writer keeps far below it). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_FORMAT_VERSION;
  /** ISO 8601 time the snapshot was taken. */
  readonly createdAt: string;
  /** The engine the backup was taken from: `sqlite` or `postgresql`. */
  readonly source: string;
  /** Base64 HKDF salt, fresh per backup. */
  readonly salt: string;
}

export type FrameKind = 'rows' | 'end';

/** Seals and opens the frames of one backup file. */
export class BackupCipher {
  readonly #key: Buffer;
  readonly #headerDigest: string;

  constructor(rootKey: Uint8Array, headerLine: string, header: BackupHeader) {
    if (rootKey.length !== KEY_BYTES) throw new RangeError('The root key must be 32 bytes.');
    const salt = Buffer.from(header.salt, 'base64');
    this.#key = Buffer.from(hkdfSync('sha256', rootKey, salt, KEY_INFO, KEY_BYTES));
    this.#headerDigest = createHash('sha256').update(headerLine, 'utf8').digest('hex');
  }

  seal(index: number, kind: FrameKind, payload: Uint8Array): Buffer {
    const sealed = seal(this.#key, payload, this.#binding(index, kind));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(sealed.length);
    return Buffer.concat([length, sealed]);
  }

  /** Opens a frame's sealed bytes (without the length prefix); throws `DecryptionError` when it does not belong here. */
  open(index: number, kind: FrameKind, sealed: Uint8Array): Buffer {
    return open(this.#key, sealed, this.#binding(index, kind));
  }

  #binding(index: number, kind: FrameKind): Buffer {
    return bindingOf(KEY_INFO, this.#headerDigest, String(index), kind);
  }
}

/** A new header (and its exact line, newline included) for a backup taken now from `source`. */
export function newBackupHeader(source: string, now: Date): { header: BackupHeader; line: string } {
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_FORMAT_VERSION,
    createdAt: now.toISOString(),
    source,
    salt: randomBytes(16).toString('base64'),
  };
  return { header, line: `${JSON.stringify(header)}\n` };
}

/** Parses a header line; throws an operator-facing error when it is not a backup this build reads. */
export function parseBackupHeader(line: string): BackupHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error('the file is not a Tessera backup (no header)');
  }
  const header = parsed as Partial<BackupHeader> | null;
  if (header?.format !== BACKUP_FORMAT) throw new Error('the file is not a Tessera backup');
  if (header.version !== BACKUP_FORMAT_VERSION) {
    throw new Error(
      `the backup has format version ${String(header.version)}; this build reads ${BACKUP_FORMAT_VERSION}`,
    );
  }
  if (
    typeof header.createdAt !== 'string' ||
    typeof header.source !== 'string' ||
    typeof header.salt !== 'string'
  ) {
    throw new Error('the backup header is incomplete');
  }
  return header as BackupHeader;
}
