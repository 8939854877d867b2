/**
 * The audit trail (docs/audit.md): records events in a keyed hash chain, looks them up, and verifies
 * the chain. Appends are serialised through one queue per process, and each batch reads the chain's
 * head and inserts after it inside ONE transaction, so the chain cannot fork (the seq primary key
 * refuses a second writer that raced anyway). Queued events are committed together: one durable
 * commit serves every request that arrived while the previous one was syncing.
 *
 * A committed batch is also written to the optional JSON-lines file, a copy for a SIEM. The database
 * is the record: a failed file write is logged and does not fail the request (the line can be
 * re-read with LookupEvents); a failed database write rejects every event of the batch, and the
 * pipeline then refuses the request (fail closed).
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

import { auditChainHash, auditChainKey } from '../crypto/audit-chain.js';
import { canonicalAuditEncoding, ChainWalker, GENESIS_HASH, newAuditEvent } from '../domain/audit.js';
import type { AuditEvent, AuditRecord, ChainBreak } from '../domain/audit.js';
import { isDomainError } from '../domain/errors.js';
import type { AuditQuery, Store } from '../storage/store.js';
import type { MetricsRecorder } from './metrics.js';
import { NO_METRICS } from './metrics.js';

/** Events one transaction appends at most; more wait for the next one. */
const MAX_BATCH = 256;
/** Transactions one batch tries when other processes keep appending first. */
const APPEND_ATTEMPTS = 5;
/** Records one verification step reads. */
const VERIFY_PAGE = 1000;

/** A lookup: `AuditQuery` without the storage's own seek field, plus the page cursor. */
export interface AuditLookup extends Omit<AuditQuery, 'beforeSeq'> {
  /** The `next` of the previous page. */
  readonly after?: number | undefined;
}

export interface AuditPage {
  /** Newest first. */
  readonly events: AuditRecord[];
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly next: number | undefined;
}

export interface VerifyReport {
  /** Records checked before the first break (all of them when the chain is intact). */
  readonly checked: number;
  /** The last intact record: seq 0 and the genesis hash when there is none. */
  readonly head: { readonly seq: number; readonly hash: string };
  /** The first record that breaks the chain; undefined when it is intact. */
  readonly broken: ChainBreak | undefined;
}

/** Where a failed write of the JSON-lines copy is reported. */
export interface AuditStreamErrorSink {
  (error: unknown): void;
}

export interface AuditServiceOptions {
  readonly store: Store;
  /** The chain key is derived from it; the same root key must verify what it recorded. */
  readonly rootKey: Uint8Array;
  /** An absolute path to append JSON lines to (created with mode 0600); none when undefined. */
  readonly streamFile?: string | undefined;
  readonly onStreamError?: AuditStreamErrorSink | undefined;
  /** Reports each committed batch's size and commit time. */
  readonly metrics?: MetricsRecorder | undefined;
}

interface Pending {
  readonly event: AuditEvent;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
}

export class AuditService {
  readonly #store: Store;
  readonly #chainKey: Buffer;
  readonly #onStreamError: AuditStreamErrorSink;
  readonly #metrics: MetricsRecorder;
  #stream: number | undefined;
  #pending: Pending[] = [];
  #draining: Promise<void> | undefined;
  /**
   * The chain's head after this process's last committed append; undefined until read, and again
   * after a failed append, when it is read afresh (another process sharing the database may have
   * appended meanwhile: `#appendBatch` then seals the batch again).
   */
  #head: { readonly seq: number; readonly hash: string } | undefined;

  /** Opens the JSON-lines file when one is configured; throws when it cannot be opened. */
  constructor(options: AuditServiceOptions) {
    this.#store = options.store;
    this.#chainKey = auditChainKey(options.rootKey);
    this.#onStreamError = options.onStreamError ?? (() => undefined);
    this.#metrics = options.metrics ?? NO_METRICS;
    if (options.streamFile !== undefined) {
      const fd = openSync(options.streamFile, 'a', 0o600);
      try {
        // The mode of `open` only applies to a new file; an existing one is tightened too.
        fchmodSync(fd, 0o600);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      this.#stream = fd;
    }
  }

  /**
   * Appends one event to the chain once it is durably committed, and resolves to the stored record.
   * Rejects (with the store's error) when it could not be recorded: the caller must then refuse the
   * request.
   */
  record(event: AuditEvent): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.#pending.push({ event: newAuditEvent(event), resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** One page of matching events, newest first. */
  async lookup(lookup: AuditLookup): Promise<AuditPage> {
    const { after, ...query } = lookup;
    const rows = await this.#store.audit.query({ ...query, beforeSeq: after, limit: lookup.limit + 1 });
    const events = rows.slice(0, lookup.limit);
    const last = events.at(-1);
    return { events, next: rows.length > lookup.limit && last ? last.seq : undefined };
  }

  /** Walks the whole chain from its first record and reports the first break. */
  async verify(): Promise<VerifyReport> {
    const walker = new ChainWalker((canonical) => auditChainHash(this.#chainKey, canonical));
    let checked = 0;
    for (;;) {
      const page = await this.#store.audit.scan(walker.head.seq, VERIFY_PAGE);
      for (const record of page) {
        const broken = walker.next(record);
        if (broken) return { checked, head: walker.head, broken };
        checked += 1;
      }
      // A removed record makes the next scan start past the gap, which `next` reports above; an
      // empty page after the walker's head is the end of the chain.
      if (page.length < VERIFY_PAGE) return { checked, head: walker.head, broken: undefined };
    }
  }

  /** Waits for queued events to be committed, then closes the JSON-lines file. */
  async close(): Promise<void> {
    await this.#draining;
    if (this.#stream !== undefined) closeSync(this.#stream);
    this.#stream = undefined;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        let records: AuditRecord[];
        const started = performance.now();
        try {
          records = await this.#appendBatch(batch.map(({ event }) => event));
          this.#metrics.auditBatch(records.length, (performance.now() - started) / 1000);
        } catch (error) {
          this.#head = undefined;
          for (const pending of batch) pending.reject(error);
          continue;
        }
        const last = records.at(-1);
        if (last) this.#head = { seq: last.seq, hash: last.hash };
        this.#writeStream(records);
        batch.forEach((pending, index) => {
          const record = records[index];
          if (record) pending.resolve(record);
        });
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /**
   * Seals the events after the chain's head and appends them in one transaction. Another process
   * sharing the database (PostgreSQL, several nodes) may have appended since this one last did, so the
   * cached head is stale and the seq clashes: then the batch is sealed again after the new head, a few
   * times at most. Any other failure, or a clash while the head did not move, is final.
   */
  async #appendBatch(events: readonly AuditEvent[]): Promise<AuditRecord[]> {
    for (let attempt = 1; ; attempt++) {
      let used: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH };
      try {
        return await this.#store.transaction(async (tx) => {
          used = this.#head ?? (await tx.audit.head()) ?? used;
          let previous = used;
          const sealed = events.map((event) => {
            const unsealed = { ...event, seq: previous.seq + 1, prevHash: previous.hash };
            const hash = auditChainHash(this.#chainKey, canonicalAuditEncoding(unsealed));
            previous = { seq: unsealed.seq, hash };
            return { ...unsealed, hash };
          });
          await tx.audit.append(sealed);
          return sealed;
        });
      } catch (error) {
        this.#head = undefined;
        if (attempt >= APPEND_ATTEMPTS || !isDomainError(error, 'unavailable')) throw error;
        const head = await this.#store.audit.head().catch(() => undefined);
        if (head === undefined || head.seq === used.seq) throw error;
      }
    }
  }

  #writeStream(records: readonly AuditRecord[]): void {
    if (this.#stream === undefined) return;
    try {
      writeSync(this.#stream, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    } catch (error) {
      this.#onStreamError(error);
    }
  }
}
