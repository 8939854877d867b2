/**
 * How a repository reaches the database: either bound to a caller's transaction (inside
 * `Store.transaction`), or on its own, opening a transaction of its own where one call runs several
 * statements. Every path through here translates driver errors, so repositories never do it by hand.
 */
import type { IsolationLevel, Kysely, Transaction } from 'kysely';

import type { StoreCapabilities } from '../capabilities.js';
import type { Database } from '../schema.js';
import type { ExpectedViolations } from './translate-storage-error.js';
import { translateStorageError } from './translate-storage-error.js';

/** The database as repositories see it: the root instance or a transaction, which Kysely types alike. */
export type Db = Kysely<Database>;

/** How `runTransaction` begins its transaction; both are passed to the engine's driver as hints. */
export interface TransactionOptions {
  readonly isolationLevel?: IsolationLevel | undefined;
  readonly readOnly?: boolean;
}

/**
 * Runs `work` in a new transaction. An error thrown by `work` is rethrown as it is, even when the
 * rollback after it fails too (the first error is the one that explains what happened); a failure to
 * begin or commit is translated.
 */
export async function runTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  let builder = db.transaction();
  if (options.isolationLevel !== undefined) builder = builder.setIsolationLevel(options.isolationLevel);
  if (options.readOnly === true) builder = builder.setAccessMode('read only');
  let failure: { readonly error: unknown } | undefined;
  try {
    return await builder.execute(async (trx) => {
      try {
        return await work(trx);
      } catch (error) {
        failure = { error };
        throw error;
      }
    });
  } catch (error) {
    if (failure !== undefined) throw failure.error;
    throw translateStorageError(error);
  }
}

/**
 * A repository's handle on the database, bound either to the root instance or to a caller's
 * transaction, with the three ways a repository method runs its statements.
 */
export class Scope {
  readonly #db: Db;
  readonly #capabilities: StoreCapabilities;

  constructor(db: Db, capabilities: StoreCapabilities) {
    this.#db = db;
    this.#capabilities = capabilities;
  }

  /**
   * Whether a read with `forUpdate` should lock: only inside a caller's transaction (outside one the
   * lock would end with the statement) and only where the engine has row locks.
   */
  lockRows(forUpdate: boolean | undefined): boolean {
    return forUpdate === true && this.#db.isTransaction && this.#capabilities.supportsRowLocks;
  }

  /** Whether this scope is bound to a caller's transaction. */
  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  /**
   * Whether a read with `forUpdate` sees the row as it stays until the caller's transaction ends: a
   * locked read where the engine has row locks; any read inside a transaction where writers run one
   * at a time (SQLite).
   */
  readsLatest(forUpdate: boolean | undefined): boolean {
    return this.#db.isTransaction && (forUpdate === true || !this.#capabilities.supportsRowLocks);
  }

  /** Runs statements that need no transaction of their own: a single statement, or several that may interleave. */
  async run<T>(work: (db: Db) => Promise<T>, expected?: ExpectedViolations): Promise<T> {
    try {
      return await work(this.#db);
    } catch (error) {
      throw translateStorageError(error, expected);
    }
  }

  /** Runs writes that land together or not at all: in the caller's transaction, else in a new one. */
  async atomic<T>(work: (db: Db) => Promise<T>, expected?: ExpectedViolations): Promise<T> {
    if (this.#db.isTransaction) return this.run(work, expected);
    return runTransaction(this.#db, (trx) => new Scope(trx, this.#capabilities).run(work, expected));
  }

  /**
   * Runs reads that must all see one snapshot (an aggregate read with several statements): in the
   * caller's transaction, else in a new read-only one at the engine's snapshot isolation level.
   */
  async snapshot<T>(work: (db: Db) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return this.run(work);
    return runTransaction(this.#db, (trx) => new Scope(trx, this.#capabilities).run(work), {
      isolationLevel: this.#capabilities.snapshotIsolationLevel,
      readOnly: true,
    });
  }
}
