/**
 * A `Store` around a real one whose audit appends can be made to fail, which counts transactions and
 * their durability, and whose `syncCommitted` can be held back: for the audit service's fail-closed,
 * batching and read-durability cases. Typed against the real `Store`.
 */
import type {
  AuditRepository,
  Repositories,
  RowBatch,
  RowTransferSummary,
  Store,
  TransactionOptions,
} from '../../src/storage/store.js';

export class AuditFaultStore implements Store {
  readonly #inner: Store;
  /** When set, every audit append throws it. */
  failure: Error | undefined;
  /** Transactions opened through this store. */
  transactions = 0;
  /** The durability each transaction asked for, in order. */
  readonly durabilities: string[] = [];
  /** When set, `syncCommitted` waits for it first (a sync that takes its time). */
  syncHold: Promise<void> | undefined;

  constructor(inner: Store) {
    this.#inner = inner;
  }

  get secrets() {
    return this.#inner.secrets;
  }
  get keys() {
    return this.#inner.keys;
  }
  get aliases() {
    return this.#inner.aliases;
  }
  get accessKeys() {
    return this.#inner.accessKeys;
  }
  get identities() {
    return this.#inner.identities;
  }
  get meta() {
    return this.#inner.meta;
  }
  get databaseInstances() {
    return this.#inner.databaseInstances;
  }
  get nonces() {
    return this.#inner.nonces;
  }
  get rotation() {
    return this.#inner.rotation;
  }
  get leases() {
    return this.#inner.leases;
  }
  get rotationWebhooks() {
    return this.#inner.rotationWebhooks;
  }
  get rootSealed() {
    return this.#inner.rootSealed;
  }
  get audit(): AuditRepository {
    return this.#wrap(this.#inner.audit);
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>, options?: TransactionOptions): Promise<T> {
    this.transactions += 1;
    this.durabilities.push(options?.durability ?? 'durable');
    return this.#inner.transaction((tx) => work({ ...tx, audit: this.#wrap(tx.audit) }), options);
  }

  async syncCommitted(): Promise<void> {
    await this.syncHold;
    await this.#inner.syncCommitted();
  }

  exportRows(sink: (batch: RowBatch) => Promise<void>): Promise<RowTransferSummary> {
    return this.#inner.exportRows(sink);
  }

  importRows(
    schemaVersion: string,
    batches: AsyncIterable<RowBatch>,
    check: (tx: Repositories) => Promise<void>,
  ): Promise<RowTransferSummary> {
    return this.#inner.importRows(schemaVersion, batches, check);
  }

  isEmpty(): Promise<boolean> {
    return this.#inner.isEmpty();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #wrap(audit: AuditRepository): AuditRepository {
    return {
      head: () => audit.head(),
      query: (query) => audit.query(query),
      scan: (afterSeq, limit) => audit.scan(afterSeq, limit),
      relink: (links) => audit.relink(links),
      append: async (records) => {
        if (this.failure) throw this.failure;
        return audit.append(records);
      },
    };
  }
}
