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
 *
 * With `readEventDurability: 'relaxed'`, a batch made only of events of requests that change nothing
 * is committed relaxed (`Store.transaction`): its events are resolved once committed, before the
 * commit is durable. Its lines and the sealed head are written only once it is durable (the next
 * durable batch, or `Store.syncCommitted`), so neither ever runs ahead of what a power cut keeps.
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

import { auditChainHash, auditChainKey, auditHeadKey } from '../crypto/audit-chain.js';
import { canonicalAuditEncoding, ChainWalker, GENESIS_HASH, newAuditEvent } from '../domain/audit.js';
import type { AuditEvent, AuditRecord, ChainBreak } from '../domain/audit.js';
import { isDomainError } from '../domain/errors.js';
import type { AuditQuery, CommitDurability, Repositories, Store } from '../storage/store.js';
import type { AuditIntegritySink, ChainPoint } from './audit-files.js';
import { backfillStream, DurablePublication, lastStreamedEvent, SealedHeadFile } from './audit-files.js';

export type { AuditIntegritySink } from './audit-files.js';
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

/**
 * Rows another service commits in the same transaction as the next audit batch, so that they are
 * durable no later than the events recorded after them (the replay guard's accepted nonces).
 */
export interface AuditCompanion {
  /** What is waiting, handed over for one batch; undefined when nothing is. */
  take(): AuditCompanionWrite | undefined;
}

export interface AuditCompanionWrite {
  /** Writes inside the batch's transaction (again on a retried transaction). */
  write(tx: Repositories): Promise<void>;
  /** The batch failed: keep it for the next one. */
  restore(): void;
}

export interface AuditServiceOptions {
  readonly store: Store;
  /** The chain key is derived from it; the same root key must verify what it recorded. */
  readonly rootKey: Uint8Array;
  /** An absolute path to append JSON lines to (created with mode 0600); none when undefined. */
  readonly streamFile?: string | undefined;
  readonly onStreamError?: AuditStreamErrorSink | undefined;
  /**
   * Where to keep the sealed chain head (docs/audit.md, "Sealed head"), normally `audit-head` in the
   * data folder; none when undefined (then a cut-off tail is detected only against the JSON-lines copy).
   */
  readonly headFile?: string | undefined;
  readonly onIntegrity?: AuditIntegritySink | undefined;
  readonly companion?: AuditCompanion | undefined;
  /** Reports each committed batch's size and commit time. */
  readonly metrics?: MetricsRecorder | undefined;
  /**
   * How events recorded with `changesNothing` are committed (`TESSERA_AUDIT_READ_DURABILITY`,
   * docs/audit.md); `durable` by default. Every other event is always durable.
   */
  readonly readEventDurability?: CommitDurability | undefined;
}

export interface RecordOptions {
  /** The event belongs to a request that changes nothing (a read): it may be committed relaxed. */
  readonly changesNothing?: boolean | undefined;
}

interface Pending {
  readonly event: AuditEvent;
  readonly relaxed: boolean;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
}

export class AuditService {
  readonly #store: Store;
  readonly #chainKey: Buffer;
  readonly #onStreamError: AuditStreamErrorSink;
  readonly #onIntegrity: AuditIntegritySink;
  readonly #companion: AuditCompanion | undefined;
  readonly #metrics: MetricsRecorder;
  readonly #relaxReads: boolean;
  #stream: number | undefined;
  readonly #headFile: SealedHeadFile | undefined;
  /** The newest head this process sealed (or found sealed at start). */
  #sealed: ChainPoint | undefined;
  /**
   * A sealed head the trail no longer contains: events were removed from the database. Kept (and the
   * head file no longer rewritten) so that every VerifyEvents reports it until an operator acts.
   */
  #rewound: ChainPoint | undefined;
  #pending: Pending[] = [];
  #draining: Promise<void> | undefined;
  /** Writes the sealed head and the lines of committed batches once they are durable. */
  readonly #publication: DurablePublication;
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
    this.#onIntegrity = options.onIntegrity ?? (() => undefined);
    this.#companion = options.companion;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#relaxReads = options.readEventDurability === 'relaxed';
    this.#publication = new DurablePublication({
      syncCommitted: () => this.#store.syncCommitted(),
      publish: (records) => {
        this.#sealHead(records);
        this.#writeStream(records);
      },
      onSyncError: (error) => {
        this.#onStreamError(error);
      },
    });
    if (options.streamFile !== undefined) {
      // Read and append: at start the last line is read to back-fill what a crash left out.
      const fd = openSync(options.streamFile, 'a+', 0o600);
      try {
        // The mode of `open` only applies to a new file; an existing one is tightened too.
        fchmodSync(fd, 0o600);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      this.#stream = fd;
    }
    if (options.headFile !== undefined) {
      try {
        this.#headFile = new SealedHeadFile(options.headFile, auditHeadKey(options.rootKey));
      } catch (error) {
        if (this.#stream !== undefined) closeSync(this.#stream);
        throw error;
      }
    }
  }

  /**
   * Run once at start, before any event is recorded. Checks the sealed head against the trail (a head
   * the trail no longer contains means events were removed; it is reported, and kept for VerifyEvents),
   * and appends to the JSON-lines copy the events committed after its last line — those a crash
   * (SIGKILL, power loss) left out between the commit and the file write.
   */
  async recover(): Promise<void> {
    const head = (await this.#store.audit.head()) ?? { seq: 0, hash: GENESIS_HASH };
    await this.#checkSealedHead(head);
    if (this.#stream !== undefined) {
      await backfillStream({
        fd: this.#stream,
        headSeq: head.seq,
        scan: (after) => this.#store.audit.scan(after, VERIFY_PAGE),
        write: (records) => {
          this.#writeStream(records);
        },
        report: this.#onIntegrity,
      });
    }
  }

  /**
   * Appends one event to the chain once it is durably committed (or only committed, for an event that
   * `changesNothing` when reads' events are relaxed), and resolves to the stored record. Rejects (with
   * the store's error) when it could not be recorded: the caller must then refuse the request.
   */
  record(event: AuditEvent, options: RecordOptions = {}): Promise<AuditRecord> {
    const relaxed = this.#relaxReads && options.changesNothing === true;
    return new Promise<AuditRecord>((resolve, reject) => {
      this.#pending.push({ event: newAuditEvent(event), relaxed, resolve, reject });
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

  /**
   * Walks the whole chain from its first record and reports the first break; then checks that the
   * chain still holds the heads recorded outside the database — the sealed head and the JSON-lines
   * copy's last event — and reports `truncated` when it ends before one or holds another event there.
   */
  async verify(): Promise<VerifyReport> {
    // Taken before the walk: both are committed events, so a walk that starts later must reach them.
    const published = this.#publishedHeads();
    const walker = new ChainWalker((canonical) => auditChainHash(this.#chainKey, canonical));
    const seen = new Map<number, string>();
    let checked = 0;
    for (;;) {
      const page = await this.#store.audit.scan(walker.head.seq, VERIFY_PAGE);
      for (const record of page) {
        const broken = walker.next(record);
        if (broken) return { checked, head: walker.head, broken };
        if (published.some((point) => point.seq === record.seq)) seen.set(record.seq, record.hash);
        checked += 1;
      }
      // A removed record makes the next scan start past the gap, which `next` reports above; an
      // empty page after the walker's head is the end of the chain.
      if (page.length < VERIFY_PAGE) break;
    }
    for (const point of published) {
      if (point.seq === 0 || seen.get(point.seq) === point.hash) continue;
      const seq = seen.has(point.seq) ? point.seq : walker.head.seq + 1;
      return {
        checked,
        head: walker.head,
        broken: { seq, requestId: point.requestId ?? '', reason: 'truncated' },
      };
    }
    return { checked, head: walker.head, broken: undefined };
  }

  /** Waits for queued events to be committed and published, then closes the JSON-lines file. */
  async close(): Promise<void> {
    await this.#draining;
    await this.#publication.settled();
    if (this.#stream !== undefined) closeSync(this.#stream);
    this.#stream = undefined;
    this.#headFile?.close();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        let records: AuditRecord[];
        // Taken after the batch: what a request queued before its event was recorded goes with it.
        const companion = this.#companion?.take();
        // One durable event makes the whole batch durable: its answer never waits less than that.
        const durability = batch.every((pending) => pending.relaxed) ? 'relaxed' : 'durable';
        const started = performance.now();
        try {
          records = await this.#appendBatch(
            batch.map(({ event }) => event),
            companion,
            durability,
          );
          this.#metrics.auditBatch(records.length, (performance.now() - started) / 1000);
        } catch (error) {
          this.#head = undefined;
          companion?.restore();
          for (const pending of batch) pending.reject(error);
          continue;
        }
        const last = records.at(-1);
        if (last) this.#head = { seq: last.seq, hash: last.hash };
        this.#publication.committed(records, durability);
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
  async #appendBatch(
    events: readonly AuditEvent[],
    companion: AuditCompanionWrite | undefined,
    durability: CommitDurability,
  ): Promise<AuditRecord[]> {
    for (let attempt = 1; ; attempt++) {
      let used: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH };
      try {
        return await this.#store.transaction(
          async (tx) => {
            used = this.#head ?? (await tx.audit.head()) ?? used;
            let previous = used;
            const sealed = events.map((event) => {
              const unsealed = { ...event, seq: previous.seq + 1, prevHash: previous.hash };
              const hash = auditChainHash(this.#chainKey, canonicalAuditEncoding(unsealed));
              previous = { seq: unsealed.seq, hash };
              return { ...unsealed, hash };
            });
            await tx.audit.append(sealed);
            await companion?.write(tx);
            return sealed;
          },
          { durability },
        );
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

  /** The heads recorded outside the database that the chain must still hold. */
  #publishedHeads(): ChainPoint[] {
    const heads: ChainPoint[] = [];
    const sealed = this.#rewound ?? this.#sealed;
    if (sealed) heads.push(sealed);
    if (this.#stream !== undefined) {
      try {
        const streamed = lastStreamedEvent(this.#stream);
        if (streamed) heads.push(streamed);
      } catch (error) {
        this.#onStreamError(error);
      }
    }
    return heads;
  }

  /** After a commit: the batch's last event becomes the sealed head, unless the chain went backwards. */
  #sealHead(records: readonly AuditRecord[]): void {
    const first = records[0];
    const last = records.at(-1);
    if (this.#headFile === undefined || !first || !last || this.#rewound) return;
    if (this.#sealed && first.seq <= this.#sealed.seq) {
      // Appended at or below a head already sealed: the tail was removed while this process ran.
      this.#rewound = this.#sealed;
      this.#onIntegrity('error', 'the audit trail was cut back below its sealed head: events were removed', {
        sealedSeq: this.#sealed.seq,
        appendedSeq: first.seq,
      });
      return;
    }
    this.#sealed = { seq: last.seq, hash: last.hash };
    try {
      this.#headFile.write(this.#sealed);
    } catch (error) {
      this.#onStreamError(error);
    }
  }

  async #checkSealedHead(head: { readonly seq: number; readonly hash: string }): Promise<void> {
    if (this.#headFile === undefined) return;
    const read = this.#headFile.read();
    if (read.state === 'sealed') {
      const [record] = await this.#store.audit.scan(read.head.seq - 1, 1);
      const held = read.head.seq === 0 || (record?.seq === read.head.seq && record.hash === read.head.hash);
      if (!held) {
        this.#rewound = read.head;
        this.#onIntegrity(
          'error',
          'the audit trail no longer holds its sealed head: events were removed from the database (VerifyEvents reports it; docs/audit.md)',
          { sealedSeq: read.head.seq, trailSeq: head.seq },
        );
        return;
      }
      if (read.head.seq === head.seq) {
        this.#sealed = read.head;
        return;
      }
    } else if (head.seq > 0) {
      this.#onIntegrity(
        read.state === 'none' ? 'warn' : 'error',
        read.state === 'none'
          ? 'the audit trail has no sealed head yet; sealing its current head'
          : 'the sealed audit head is unreadable or not sealed by this root key; sealing the current head',
        { trailSeq: head.seq },
      );
    }
    this.#sealed = { seq: head.seq, hash: head.hash };
    this.#headFile.write(this.#sealed);
  }
}
