/**
 * The audit trail's two files outside the database (docs/audit.md): the JSON-lines copy, whose last
 * line says how far the copy got, and the sealed head, the newest event this process committed, kept
 * beside the data and sealed under a key derived from the root key. Someone who can write the database
 * but does not hold the root key cannot make either agree with a trail they cut short.
 *
 * Neither may run ahead of the durable trail (after a power cut they would claim events the trail
 * lost): `DurablePublication` writes a batch to them only once its commit is durable.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

import { auditHeadSeal } from '../crypto/audit-chain.js';
import { constantTimeEqual } from '../crypto/compare.js';
import type { AuditRecord } from '../domain/audit.js';

/** Where the audit service reports what it found about the trail's integrity at start and while appending. */
export interface AuditIntegritySink {
  (level: 'info' | 'warn' | 'error', message: string, details: Record<string, unknown>): void;
}

/** A point of the chain: an event's seq and hash. */
export interface ChainPoint {
  readonly seq: number;
  readonly hash: string;
  /** Known when read from the JSON-lines copy. */
  readonly requestId?: string | undefined;
}

/** Bytes read from the end of the JSON-lines file to find its last line (events are far shorter). */
const TAIL_BYTES = 64 * 1024;

/**
 * The last complete line's event in the JSON-lines file open at `fd` (read and append). With `repair`
 * (at start, before anything is written), a last line cut short by a crash is removed, so the back-fill
 * rewrites it whole. Undefined for an empty file or one whose last line is not an event.
 */
export function lastStreamedEvent(fd: number, repair = false): ChainPoint | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  const start = Math.max(0, size - TAIL_BYTES);
  const tail = Buffer.alloc(size - start);
  readSync(fd, tail, 0, tail.length, start);
  let end = tail.length;
  if (tail[end - 1] !== 0x0a) {
    const lastNewline = tail.lastIndexOf(0x0a);
    if (repair) ftruncateSync(fd, lastNewline < 0 ? start : start + lastNewline + 1);
    if (lastNewline < 0) return undefined;
    end = lastNewline + 1;
  }
  const lineStart = tail.lastIndexOf(0x0a, end - 2) + 1;
  try {
    const parsed = JSON.parse(tail.subarray(lineStart, end - 1).toString('utf8')) as Record<string, unknown>;
    const { seq, hash, requestId } = parsed;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || typeof hash !== 'string') return undefined;
    return { seq, hash, requestId: typeof requestId === 'string' ? requestId : undefined };
  } catch {
    return undefined;
  }
}

/**
 * At start: appends to the JSON-lines copy the events the trail holds after the copy's last line, those a
 * crash left out between their commit and their write. An empty file is a new or rotated copy and starts
 * with the next event; a copy ahead of the trail (events removed from the database) is reported.
 */
export async function backfillStream(options: {
  readonly fd: number;
  readonly headSeq: number;
  /** Records after `after`, oldest first, one page. */
  readonly scan: (after: number) => Promise<AuditRecord[]>;
  readonly write: (records: readonly AuditRecord[]) => void;
  readonly report: AuditIntegritySink;
}): Promise<void> {
  const streamed = lastStreamedEvent(options.fd, true);
  if (streamed === undefined) return;
  if (streamed.seq > options.headSeq) {
    options.report(
      'error',
      'the audit JSON-lines copy holds events the database does not: events were removed from the database',
      { streamedSeq: streamed.seq, trailSeq: options.headSeq },
    );
    return;
  }
  let after = streamed.seq;
  while (after < options.headSeq) {
    const page = await options.scan(after);
    const last = page.at(-1);
    if (!last) break;
    options.write(page);
    after = last.seq;
  }
  if (after > streamed.seq) {
    options.report('info', 'appended to the audit JSON-lines copy the events a crash left out', {
      from: streamed.seq + 1,
      to: after,
    });
  }
}

const HEAD_PREFIX = 'tessera-audit-head v1';
/** Fixed width: each write replaces the whole content in place, one small write at offset 0. */
const HEAD_LINE = /^tessera-audit-head v1 (\d{20}) ([0-9a-f]{64}) ([0-9a-f]{64})\n$/;

export type SealedHeadRead =
  | { readonly state: 'none' }
  | { readonly state: 'unreadable' }
  | { readonly state: 'sealed'; readonly head: ChainPoint };

/** The sealed head file: one fixed-width line, `seq hash seal`, rewritten in place after each commit. */
export class SealedHeadFile {
  readonly #fd: number;
  readonly #key: Buffer;

  /** Opens (creating, mode 0600) the file; throws when it cannot be opened. */
  constructor(path: string, headKey: Buffer) {
    this.#fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    this.#key = headKey;
  }

  read(): SealedHeadRead {
    const size = fstatSync(this.#fd).size;
    if (size === 0) return { state: 'none' };
    const buffer = Buffer.alloc(Math.min(size, 512));
    readSync(this.#fd, buffer, 0, buffer.length, 0);
    const match = HEAD_LINE.exec(buffer.toString('latin1'));
    if (!match?.[1] || !match[2] || !match[3]) return { state: 'unreadable' };
    const seq = Number(match[1]);
    if (!constantTimeEqual(auditHeadSeal(this.#key, seq, match[2]), match[3])) return { state: 'unreadable' };
    return { state: 'sealed', head: { seq, hash: match[2] } };
  }

  write(head: ChainPoint): void {
    const seq = String(head.seq).padStart(20, '0');
    const line = `${HEAD_PREFIX} ${seq} ${head.hash} ${auditHeadSeal(this.#key, head.seq, head.hash)}\n`;
    writeSync(this.#fd, line, 0, 'latin1');
  }

  close(): void {
    closeSync(this.#fd);
  }
}

export interface DurablePublicationOptions {
  /** Resolves once every commit so far is durable (`Store.syncCommitted`). */
  readonly syncCommitted: () => Promise<void>;
  /** Writes one durable batch to the files, in commit order. */
  readonly publish: (records: readonly AuditRecord[]) => void;
  /** A sync failed: the batches waiting for it stay waiting. */
  readonly onSyncError: (error: unknown) => void;
}

/**
 * Hands committed batches to `publish` in commit order once they are durable: a durable batch at once,
 * with every relaxed one before it (its durable commit covered them); relaxed batches after a sync,
 * one sync for all that are waiting.
 */
export class DurablePublication {
  readonly #options: DurablePublicationOptions;
  readonly #waiting: (readonly AuditRecord[])[] = [];
  #syncing: Promise<void> | undefined;

  constructor(options: DurablePublicationOptions) {
    this.#options = options;
  }

  committed(records: readonly AuditRecord[], durability: 'durable' | 'relaxed'): void {
    this.#waiting.push(records);
    if (durability === 'durable') this.#publish(this.#waiting.length);
    else this.#syncing ??= this.#publishAfterSync();
  }

  /** Resolves when no sync is in flight (what waits then waits for a durable batch). */
  async settled(): Promise<void> {
    await this.#syncing;
  }

  #publish(count: number): void {
    for (const records of this.#waiting.splice(0, count)) this.#options.publish(records);
  }

  async #publishAfterSync(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const covered = this.#waiting.slice();
        await this.#options.syncCommitted();
        // A durable batch may have published some of them meanwhile (from the front, in order).
        this.#publish(covered.filter((records) => this.#waiting.includes(records)).length);
      }
    } catch (error) {
      this.#options.onSyncError(error);
    } finally {
      this.#syncing = undefined;
    }
  }
}
