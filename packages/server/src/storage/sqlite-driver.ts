/**
 * The Kysely driver of the SQLite store. Three things set it apart from Kysely's own `SqliteDriver`:
 *
 * - **Prepared statements are kept**, by SQL text, per connection (bounded, least recently used out):
 *   preparing costs more than running most of the store's statements.
 * - **Group commit.** Write transactions are units of a shared batch: the first unit opens it with
 *   `BEGIN IMMEDIATE` (taking the write lock up front, so it waits out another process's lock instead
 *   of failing), each unit runs in its own `SAVEPOINT` (a failing unit rolls back alone), and the batch
 *   commits once no unit is running and the event loop has handled what was already waiting. Every
 *   unit's commit resolves only after that `COMMIT` has returned, so nothing is acknowledged before it
 *   is durable; a failed `COMMIT` rejects every unit of the batch. One fsync serves all of them.
 * - **Reads beside the writer.** A file database gets a second, query-only connection. Reads outside a
 *   write transaction (and read-only transactions, one at a time) run there, on committed data only,
 *   without waiting for an open batch. A private in-memory database has one connection for everything.
 *
 * - **The fsync off the event loop.** better-sqlite3 is synchronous, so with `synchronous=FULL` every
 *   `COMMIT` would block the whole process for the length of an fsync. Given `walPath`, the writer runs
 *   with `synchronous=NORMAL` (a WAL `COMMIT` then writes its frames without syncing) and the driver
 *   fsyncs the WAL file itself, on libuv's thread pool, before it settles the batch: the same guarantee
 *   as FULL for everything acknowledged, while the event loop keeps serving. One fsync covers every
 *   batch committed before it started; batches committed meanwhile share the next one.
 *
 *   While an fsync is in flight the open batch is not committed: it keeps gathering units, and commits
 *   when the fsync ends (its units could not be acknowledged sooner anyway). One COMMIT per fsync is
 *   what makes group commit pay off in CPU as well as in syncs.
 *
 *   A read on the reader connection may see a batch that is committed but not yet synced. No answer
 *   built on it leaves the server before it is durable: every request records an audit event before it
 *   is answered (fail closed), in a later batch, whose fsync covers the WAL up to that point.
 *
 * - **Relaxed units.** A unit marked relaxed (`relaxRunningUnit`, for `Store.transaction`'s
 *   `durability: 'relaxed'`) is acknowledged once its batch's COMMIT has returned and every earlier
 *   batch holding a durable unit is synced, without waiting for its own batch's fsync (which still
 *   happens). The second condition keeps the rule above: a relaxed audit event of a read that saw an
 *   unsynced write does not let the answer out before that write is durable.
 */
import { closeSync, fsync as fsyncFile, openSync } from 'node:fs';

import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SelectQueryNode } from 'kysely';
import type { DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';

import { Batch, Mutex } from './sqlite-batch.js';
import type { FsyncFunction, Unit } from './sqlite-batch.js';

export type { FsyncFunction } from './sqlite-batch.js';

/** Prepared statements each connection keeps. The store uses fewer than 200 distinct texts. */
const STATEMENT_CACHE_SIZE = 500;
/** Units one batch takes at most; later ones open the next batch. */
const MAX_BATCH_UNITS = 1_000;

/** A better-sqlite3 connection with its statement cache. */
class Handle {
  readonly db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.db = db;
  }

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      // The store's statement texts are few and fixed; past the bound (only ever reached by texts
      // that vary, such as IN lists of every length) the oldest prepared goes first.
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next();
        if (!oldest.done) this.#statements.delete(oldest.value);
      }
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  execute(query: CompiledQuery): QueryResult<unknown> {
    return run(this.prepare(query.sql), query.parameters);
  }

  exec(sql: string): void {
    this.prepare(sql).run();
  }

  clear(): void {
    this.#statements.clear();
  }
}

function run(statement: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

export interface SqliteStoreDriverOptions {
  readonly writer: BetterSqlite3.Database;
  /** A second connection to the same file for reads; undefined for an in-memory database. */
  readonly reader?: BetterSqlite3.Database | undefined;
  /**
   * The writer's WAL file, when the writer runs with `synchronous=NORMAL` and the driver must fsync
   * the WAL before acknowledging a batch; undefined when SQLite syncs every commit itself.
   */
  readonly walPath?: string | undefined;
  /** Syncs the WAL file; `fs.fsync` unless a test injects its own. */
  readonly fsync?: FsyncFunction | undefined;
}

export class SqliteStoreDriver implements Driver {
  readonly #writer: Handle;
  readonly #reader: Handle | undefined;
  /** Held by the unit running on the writer (or by a statement there, for an in-memory database). */
  readonly #writerLock = new Mutex();
  /** Held by a read-only transaction on the reader, so statements of other callers do not join it. */
  readonly #readerLock = new Mutex();
  #batch: Batch | undefined;
  /** The unit holding the writer, if any. */
  #running: Unit | undefined;
  #commitScheduled = false;
  readonly #walPath: string | undefined;
  readonly #fsync: FsyncFunction;
  #walFd: number | undefined;
  /** Batches committed and waiting for the next WAL fsync. */
  #unsynced: Batch[] = [];
  /** The fsync in flight, if any. */
  #syncing: Promise<void> | undefined;
  /** The newest committed batch (what `syncCommitted` waits for). */
  #lastCommitted: Batch | undefined;
  /** The newest committed batch holding a durable unit, until it is synced. */
  #unsyncedDurable: Batch | undefined;

  constructor(options: SqliteStoreDriverOptions) {
    this.#writer = new Handle(options.writer);
    this.#reader = options.reader && new Handle(options.reader);
    this.#walPath = options.walPath;
    this.#fsync = options.fsync ?? fsyncFile;
  }

  /**
   * Marks the unit running on the writer as relaxed (see the file's header). Only from inside a
   * transaction's work: that unit holds the writer until it ends, so it is the caller's own.
   */
  relaxRunningUnit(): void {
    if (this.#running === undefined) throw new Error('No write transaction is running to relax.');
    this.#running.relaxed = true;
  }

  /** Resolves once every batch committed before the call is synced; rejects if that sync failed. */
  syncCommitted(): Promise<void> {
    return this.#lastCommitted?.durable ?? Promise.resolve();
  }

  async init(): Promise<void> {
    // Both connections are opened (and configured) by the caller.
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new StoreConnection(this));
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await asStoreConnection(connection).begin(settings.accessMode === 'read only');
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await asStoreConnection(connection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await asStoreConnection(connection).rollback();
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async releaseConnection(): Promise<void> {
    // Connections are views on the two handles; nothing to give back.
  }

  /** Commits the open batch (its units are waiting for it), waits for its fsync, closes both connections. */
  async destroy(): Promise<void> {
    await this.#writerLock.lock();
    try {
      this.#commitBatch();
    } finally {
      this.#writerLock.unlock();
    }
    while (this.#syncing) await this.#syncing.catch(() => undefined);
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
    this.#writer.clear();
    this.#reader?.clear();
    this.#reader?.db.close();
    this.#writer.db.close();
  }

  // ── Used by StoreConnection ────────────────────────────────────────────────────────────────────

  get writer(): Handle {
    return this.#writer;
  }

  get reader(): Handle | undefined {
    return this.#reader;
  }

  get readerLock(): Mutex {
    return this.#readerLock;
  }

  get writerLock(): Mutex {
    return this.#writerLock;
  }

  /** Takes the writer for one unit: opens a batch when none is open, then the unit's savepoint. */
  async beginUnit(): Promise<Unit> {
    await this.#writerLock.lock();
    try {
      if (this.#batch && this.#batch.units >= MAX_BATCH_UNITS) this.#commitBatch();
      if (this.#batch && !this.#writer.db.inTransaction) {
        // SQLite rolled the whole batch back after an error (I/O, full disk): none of it may be
        // acknowledged, and a savepoint now would run outside any batch.
        this.#batch.reject(new Error('The SQLite transaction was rolled back by the database.'));
        this.#batch = undefined;
      }
      if (this.#batch === undefined) {
        this.#writer.exec('begin immediate');
        this.#batch = new Batch();
      }
      this.#writer.exec('savepoint tessera_unit');
      this.#running = { batch: this.#batch, relaxed: false };
      return this.#running;
    } catch (error) {
      this.#writerLock.unlock();
      this.#scheduleCommit();
      throw error;
    }
  }

  /** Ends a unit's savepoint (keeping or undoing its work), frees the writer and lets the batch commit. */
  endUnit(unit: Unit, keep: boolean): void {
    try {
      if (keep) {
        this.#writer.exec('release tessera_unit');
        unit.batch.units += 1;
        if (!unit.relaxed) unit.batch.holdsDurableUnit = true;
      } else if (this.#writer.db.inTransaction) {
        this.#writer.exec('rollback to tessera_unit');
        this.#writer.exec('release tessera_unit');
      }
    } finally {
      this.#running = undefined;
      this.#writerLock.unlock();
      this.#scheduleCommit();
    }
  }

  /**
   * Commits after the event loop has run what is already queued (other requests reaching their
   * transactions join this batch), and only while no unit holds the writer.
   */
  #scheduleCommit(): void {
    if (this.#commitScheduled || this.#batch === undefined) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      // While an fsync is in flight a batch holding a durable unit stays open and gathers more units:
      // they could not be acknowledged before that fsync ends anyway, and one COMMIT (which copies every
      // page the batch dirtied into the WAL) costs about as much CPU as several. The fsync's end commits
      // it. A batch of relaxed units only commits now: they are acknowledged at their COMMIT.
      if (this.#syncing && this.#batch?.holdsDurableUnit === true) return;
      // A unit is running: it schedules the commit again when it ends.
      if (!this.#writerLock.tryLock()) return;
      try {
        this.#commitBatch();
      } finally {
        this.#writerLock.unlock();
      }
    });
  }

  /** COMMIT (caller holds the writer lock); settles every unit of the batch. */
  #commitBatch(): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    try {
      this.#writer.exec('commit');
    } catch (error) {
      try {
        if (this.#writer.db.inTransaction) this.#writer.exec('rollback');
      } catch {
        // The commit's error is the one that explains what happened.
      }
      batch.reject(error);
      return;
    }
    this.#lastCommitted = batch;
    if (this.#walPath === undefined) {
      batch.committed(undefined);
      batch.synced();
      return;
    }
    // Relaxed units wait for the earlier durable ones: they may have read what those wrote.
    batch.committed(this.#unsyncedDurable?.durable);
    if (batch.holdsDurableUnit) this.#unsyncedDurable = batch;
    this.#unsynced.push(batch);
    this.#sync();
  }

  /** Starts an fsync of the WAL unless one is in flight (then the next one covers what waits). */
  #sync(): void {
    if (this.#syncing || this.#unsynced.length === 0 || this.#walPath === undefined) return;
    const waiting = this.#unsynced;
    this.#unsynced = [];
    let fd: number;
    try {
      // Opened once the WAL exists (after the first commit); it stays the same file from then on.
      fd = this.#walFd ??= openSync(this.#walPath, 'r');
    } catch (error) {
      for (const batch of waiting) batch.reject(error);
      return;
    }
    this.#syncing = new Promise<void>((resolve) => {
      this.#fsync(fd, (error) => {
        this.#syncing = undefined;
        // A failed fsync leaves it unknown what reached the disk: nobody is told it is durable.
        for (const batch of waiting) {
          if (error) batch.reject(error);
          else batch.synced();
          if (batch === this.#unsyncedDurable) this.#unsyncedDurable = undefined;
        }
        resolve();
        // The batch that gathered units meanwhile commits now, and the next fsync covers it.
        this.#scheduleCommit();
        this.#sync();
      });
    });
  }
}

type ConnectionState =
  { readonly kind: 'idle' } | { readonly kind: 'unit'; readonly unit: Unit } | { readonly kind: 'read' };

/** One acquisition: outside a transaction, or inside a write unit or a read-only transaction. */
class StoreConnection implements DatabaseConnection {
  readonly #driver: SqliteStoreDriver;
  #state: ConnectionState = { kind: 'idle' };

  constructor(driver: SqliteStoreDriver) {
    this.#driver = driver;
  }

  async begin(readOnly: boolean): Promise<void> {
    const reader = this.#driver.reader;
    if (readOnly && reader) {
      await this.#driver.readerLock.lock();
      try {
        reader.exec('begin deferred');
      } catch (error) {
        this.#driver.readerLock.unlock();
        throw error;
      }
      this.#state = { kind: 'read' };
      return;
    }
    this.#state = { kind: 'unit', unit: await this.#driver.beginUnit() };
  }

  async commit(): Promise<void> {
    const state = this.#state;
    this.#state = { kind: 'idle' };
    if (state.kind === 'read') {
      this.#endRead('commit');
    } else if (state.kind === 'unit') {
      const { unit } = state;
      this.#driver.endUnit(unit, true);
      // Acknowledged only once the batch's COMMIT has returned and (unless relaxed) the WAL is synced.
      await (unit.relaxed ? unit.batch.relaxedAcknowledged : unit.batch.durable);
    }
  }

  rollback(): Promise<void> {
    const state = this.#state;
    this.#state = { kind: 'idle' };
    if (state.kind === 'read') this.#endRead('rollback');
    else if (state.kind === 'unit') this.#driver.endUnit(state.unit, false);
    // idle: the commit failed and already settled the batch; nothing is open for this connection.
    return Promise.resolve();
  }

  #endRead(how: 'commit' | 'rollback'): void {
    try {
      this.#driver.reader?.exec(how);
    } finally {
      this.#driver.readerLock.unlock();
    }
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return (await this.#execute(query)) as QueryResult<R>;
  }

  async #execute(query: CompiledQuery): Promise<QueryResult<unknown>> {
    const state = this.#state;
    if (state.kind === 'unit') return this.#driver.writer.execute(query);
    const reader = this.#driver.reader;
    if (state.kind === 'read' && reader) return reader.execute(query);
    if (!reader) {
      // In memory: one connection, taken by one caller at a time.
      await this.#driver.writerLock.lock();
      try {
        return this.#driver.writer.execute(query);
      } finally {
        this.#driver.writerLock.unlock();
      }
    }
    let statement: BetterSqlite3.Statement | undefined;
    try {
      statement = reader.prepare(query.sql);
    } catch {
      // The reader does not know it (say, a table created a moment ago): the writer decides below.
    }
    if (statement?.readonly === true) {
      // Outside any transaction: an autocommit read of committed data, unless a read-only
      // transaction holds the reader (then wait, so as not to read inside its older snapshot).
      if (!this.#driver.readerLock.tryLock()) await this.#driver.readerLock.lock();
      try {
        return run(statement, query.parameters);
      } finally {
        this.#driver.readerLock.unlock();
      }
    }
    // A write outside a transaction is a unit of its own: durable before it returns.
    const unit = await this.#driver.beginUnit();
    let result: QueryResult<unknown>;
    try {
      result = this.#driver.writer.execute(query);
    } catch (error) {
      this.#driver.endUnit(unit, false);
      throw error;
    }
    this.#driver.endUnit(unit, true);
    await unit.batch.durable;
    return result;
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('Only SELECT statements can be streamed.');
    const result = await this.#execute(query);
    for (const row of result.rows) yield { rows: [row as R] };
  }
}

function asStoreConnection(connection: DatabaseConnection): StoreConnection {
  if (!(connection instanceof StoreConnection)) throw new Error('Not a connection of this driver.');
  return connection;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
