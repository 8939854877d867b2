/**
 * Reading and writing backup files (format in `crypto/backup-format.ts`). Rows are JSON with byte
 * strings as `{"$bytes": base64}`. A backup is written to `FILE.partial` and renamed into place once it
 * is complete and synced, so `FILE` is never a half-written backup.
 */
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import {
  BackupCipher,
  MAX_FRAME_BYTES,
  newBackupHeader,
  parseBackupHeader,
} from '../crypto/backup-format.js';
import type { BackupHeader, FrameKind } from '../crypto/backup-format.js';
import type { RowBatch, RowTransferSummary, StoredRow, StoredValue } from '../storage/store.js';

/** What a backup's last frame says: the schema and how many rows of each table it holds. */
export type BackupContents = RowTransferSummary;

export class BackupWriter {
  readonly #path: string;
  readonly #partial: string;
  readonly #file: FileHandle;
  readonly #cipher: BackupCipher;
  #index = 0;
  #bytes = 0;

  private constructor(path: string, partial: string, file: FileHandle, cipher: BackupCipher) {
    this.#path = path;
    this.#partial = partial;
    this.#file = file;
    this.#cipher = cipher;
  }

  /** Starts a backup at `path` (which must not exist yet). */
  static async create(path: string, rootKey: Uint8Array, source: string, now: Date): Promise<BackupWriter> {
    if (await exists(path)) throw new Error(`${path} already exists; choose a new file name`);
    const partial = `${path}.partial`;
    await rm(partial, { force: true });
    const file = await open(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    const { header, line } = newBackupHeader(source, now);
    const writer = new BackupWriter(path, partial, file, new BackupCipher(rootKey, line, header));
    await writer.#write(Buffer.from(line, 'utf8'));
    return writer;
  }

  async writeBatch(batch: RowBatch): Promise<void> {
    await this.#frame(
      'rows',
      Buffer.from(JSON.stringify({ table: batch.table, rows: batch.rows.map(encodeRow) })),
    );
  }

  /** Writes the closing frame, syncs, and moves the file into place; returns its size in bytes. */
  async finish(contents: BackupContents): Promise<number> {
    await this.#frame('end', Buffer.from(JSON.stringify(contents)));
    await this.#file.sync();
    await this.#file.close();
    await rename(this.#partial, this.#path);
    await syncFolder(dirname(this.#path));
    return this.#bytes;
  }

  /** Drops the unfinished file. */
  async abort(): Promise<void> {
    await this.#file.close().catch(() => undefined);
    await rm(this.#partial, { force: true });
  }

  async #frame(kind: FrameKind, payload: Buffer): Promise<void> {
    await this.#write(this.#cipher.seal(this.#index, kind, payload));
    this.#index += 1;
  }

  async #write(bytes: Buffer): Promise<void> {
    await this.#file.write(bytes);
    this.#bytes += bytes.length;
  }
}

/** An opened, fully checked backup: its header, what it holds, and its rows to stream again. */
export interface OpenedBackup {
  readonly header: BackupHeader;
  readonly contents: BackupContents;
  batches(): AsyncIterable<RowBatch>;
}

/**
 * Opens a backup with the root key and checks every frame (so a damaged, cut-off or foreign file is
 * refused before anything is written anywhere). Throws an operator-facing error.
 */
export async function openBackup(path: string, rootKey: Uint8Array): Promise<OpenedBackup> {
  const file = await open(path, 'r').catch((error: unknown) => {
    throw new Error(`cannot open ${path}: ${(error as Error).message}`);
  });
  try {
    const size = (await file.stat()).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    await file.read(head, 0, head.length, 0);
    const newline = head.indexOf(0x0a);
    if (newline < 0) throw new Error('the file is not a Tessera backup (no header)');
    const line = head.subarray(0, newline + 1).toString('utf8');
    const header = parseBackupHeader(line);
    const cipher = new BackupCipher(rootKey, line, header);
    const start = newline + 1;
    let contents: BackupContents | undefined;
    for await (const frame of frames(file, cipher, start, size)) {
      if (frame.kind === 'end') contents = JSON.parse(frame.payload.toString('utf8')) as BackupContents;
    }
    if (contents === undefined) throw new Error('the backup is cut off: its closing frame is missing');
    return {
      header,
      contents,
      async *batches() {
        const again = await open(path, 'r');
        try {
          for await (const frame of frames(again, cipher, start, size)) {
            if (frame.kind === 'end') return;
            const parsed = JSON.parse(frame.payload.toString('utf8')) as { table: string; rows: unknown[] };
            yield { table: parsed.table, rows: parsed.rows.map(decodeRow) };
          }
        } finally {
          await again.close();
        }
      },
    };
  } finally {
    await file.close();
  }
}

async function* frames(
  file: FileHandle,
  cipher: BackupCipher,
  start: number,
  size: number,
): AsyncIterable<{ kind: FrameKind; payload: Buffer }> {
  let offset = start;
  for (let index = 0; offset < size; index++) {
    const prefix = Buffer.alloc(4);
    if ((await file.read(prefix, 0, 4, offset)).bytesRead < 4) throw damaged();
    const length = prefix.readUInt32BE();
    if (length > MAX_FRAME_BYTES || offset + 4 + length > size) throw damaged();
    const sealed = Buffer.alloc(length);
    await file.read(sealed, 0, length, offset + 4);
    offset += 4 + length;
    const kind: FrameKind = offset === size ? 'end' : 'rows';
    let payload: Buffer;
    try {
      payload = cipher.open(index, kind, sealed);
    } catch {
      throw index === 0
        ? new Error('the backup does not open with this root key (or it is damaged)')
        : damaged();
    }
    yield { kind, payload };
  }
}

function damaged(): Error {
  return new Error('the backup is damaged, cut off or altered; it cannot be restored');
}

function encodeRow(row: StoredRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] = value instanceof Uint8Array ? { $bytes: Buffer.from(value).toString('base64') } : value;
  }
  return out;
}

function decodeRow(raw: unknown): StoredRow {
  const out: Record<string, StoredValue> = {};
  for (const [column, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object') {
      out[column] = Buffer.from(String((value as { $bytes?: unknown }).$bytes), 'base64');
    } else {
      out[column] = value as StoredValue;
    }
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
