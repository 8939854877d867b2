/**
 * SQLite wiring: the only module that imports better-sqlite3. It opens the file, sets the pragmas
 * that make commits durable, runs the migrations and hands back the shared Kysely store.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect } from 'kysely';
import type { DialectAdapter, Driver } from 'kysely';

import type { StoreCapabilities } from './capabilities.js';
import { DEFAULT_LISTING_CACHE_ENTRIES, KyselyStore } from './kysely-store.js';
import type { KyselyStoreOptions } from './kysely-store.js';
import { MigrationError, migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import { SqliteStoreDriver } from './sqlite-driver.js';
import { WalCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer.js';
import type { Store } from './store.js';

/** What SQLite can and cannot do, for the shared store and migrations (see `StoreCapabilities`). */
export const SQLITE_CAPABILITIES: StoreCapabilities = Object.freeze({
  binaryType: 'blob',
  supportsRowLocks: false,
  snapshotIsolationLevel: undefined,
  codePointCollation: undefined,
});

/** The path that opens a private, throwaway in-memory database. */
export const SQLITE_IN_MEMORY = ':memory:';

/** How long a statement waits for another process's lock by default before failing as `unavailable`. */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface SqliteStoreOptions {
  /**
   * The database file. It and its parent folder are created when missing (the file with mode 0600,
   * the folder with 0700). `':memory:'` opens a throwaway in-memory database, for tests.
   */
  readonly path: string;
  /**
   * How long a statement waits for a lock another process holds (a backup, a CLI) before it fails
   * with `unavailable`. Defaults to `DEFAULT_SQLITE_BUSY_TIMEOUT_MS`.
   */
  readonly busyTimeoutMs?: number;
  /**
   * Secret listings whose page boundaries are kept in memory (`KyselyStoreOptions`); one process owns
   * a SQLite data folder, so they follow every write. Defaults to `DEFAULT_LISTING_CACHE_ENTRIES`.
   */
  readonly listingCacheEntries?: number;
}

/** The connection settings that matter for durability and integrity, as SQLite reports them. */
export interface SqliteSettings {
  /** `wal` for a file, `memory` for an in-memory database. */
  readonly journalMode: string;
  /** 0 off, 1 normal, 2 full, 3 extra. */
  readonly synchronous: number;
  readonly foreignKeys: boolean;
  readonly busyTimeoutMs: number;
  /**
   * True for a file database: the writer runs `synchronous=NORMAL` and the store fsyncs the WAL
   * itself before it acknowledges a commit (as durable as FULL, without blocking the event loop).
   */
  readonly syncsWalBeforeAcknowledging: boolean;
}

/** The SQLite store, plus a read-back of its settings for tests and diagnostics. */
export interface SqliteStore extends Store {
  settings(): Promise<SqliteSettings>;
}

/**
 * Opens (creating when needed) the SQLite database at `options.path`, migrates it to the latest
 * schema and returns the store. Throws when the file cannot be opened, WAL cannot be enabled, or a
 * migration fails (a `MigrationError` naming the migration); the database is closed again then.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { path, busyTimeoutMs = DEFAULT_SQLITE_BUSY_TIMEOUT_MS } = options;
  const { listingCacheEntries = DEFAULT_LISTING_CACHE_ENTRIES } = options;
  if (path === '') throw new Error('The SQLite database path is empty.');
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new Error('The SQLite busy timeout must be a whole number of milliseconds, 0 or more.');
  }
  const inMemory = path === SQLITE_IN_MEMORY;
  if (!inMemory) createPrivateFile(path);

  // The busy timeout goes in first, so even the pragmas below wait for another process's lock.
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw openFailure(path, error);
  }
  let reader: BetterSqlite3.Database | undefined;
  let db: Kysely<Database> | undefined;
  let driver: SqliteStoreDriver;
  try {
    // WAL lets readers run beside the one writer and turns each commit into an append.
    const journalMode: unknown = database.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && journalMode !== 'wal') {
      throw new Error(`SQLite could not switch to WAL mode (it reports "${String(journalMode)}").`);
    }
    // In WAL mode NORMAL fsyncs only at checkpoints, so a commit acknowledged on its own could sit in
    // the WAL unsynced: a kill -9 keeps it (the kernel has the write), a power loss or kernel crash
    // can drop it. FULL fsyncs the WAL on every commit, but better-sqlite3 does that on the event loop.
    // So a file database runs NORMAL and the driver fsyncs the WAL itself, off the event loop, before
    // it acknowledges any commit (`sqlite-driver.ts`): once a write is acknowledged it survives both.
    // An in-memory database has nothing to sync; it keeps FULL.
    database.pragma(inMemory ? 'synchronous = FULL' : 'synchronous = NORMAL');
    // Off by default in SQLite; the schema relies on them (stages must point at existing versions).
    database.pragma('foreign_keys = ON');
    if (!inMemory) reader = openReader(path, busyTimeoutMs);
    driver = new SqliteStoreDriver({
      writer: database,
      reader,
      walPath: inMemory ? undefined : `${path}-wal`,
    });
    db = new Kysely<Database>({ dialect: new StoreSqliteDialect(driver) });
    await migrateToLatest(db, SQLITE_CAPABILITIES);
  } catch (error) {
    // Kysely only closes a driver it has started; a failure before the first query leaves it to us.
    if (db) await db.destroy().catch(() => undefined);
    if (reader?.open) reader.close();
    if (database.open) database.close();
    throw error instanceof MigrationError ? error : openFailure(path, error);
  }
  if (!inMemory) restrictSideFiles(path);
  let checkpointer: WalCheckpointer | undefined;
  if (!inMemory) {
    // Checkpoints run in a worker (sqlite-checkpointer.ts); the writer's own is only a backstop.
    database.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    checkpointer = WalCheckpointer.start(path, busyTimeoutMs);
  }
  return new SqliteKyselyStore(db, driver, database, checkpointer, { listingCacheEntries });
}

class SqliteKyselyStore extends KyselyStore implements SqliteStore {
  readonly #writer: BetterSqlite3.Database;
  readonly #checkpointer: WalCheckpointer | undefined;

  constructor(
    db: Kysely<Database>,
    driver: SqliteStoreDriver,
    writer: BetterSqlite3.Database,
    checkpointer: WalCheckpointer | undefined,
    options: KyselyStoreOptions,
  ) {
    // A relaxed unit is acknowledged once its batch's COMMIT returned, before the WAL fsync that
    // follows it (sqlite-driver.ts); the unit running on the writer is the transaction's own.
    super(
      db,
      SQLITE_CAPABILITIES,
      {
        relax: () => {
          driver.relaxRunningUnit();
          return Promise.resolve();
        },
        syncCommitted: () => driver.syncCommitted(),
      },
      options,
    );
    this.#writer = writer;
    this.#checkpointer = checkpointer;
  }

  override async close(): Promise<void> {
    await this.#checkpointer?.stop();
    await super.close();
  }

  /** The writer connection's settings (reads run on a connection of their own, which never writes). */
  settings(): Promise<SqliteSettings> {
    const pragma = (name: string): unknown => this.#writer.pragma(name, { simple: true });
    return Promise.resolve({
      journalMode: String(pragma('journal_mode')),
      synchronous: Number(pragma('synchronous')),
      foreignKeys: Number(pragma('foreign_keys')) === 1,
      busyTimeoutMs: Number(pragma('busy_timeout')),
      syncsWalBeforeAcknowledging: this.#checkpointer !== undefined,
    });
  }
}

/** An operator-facing error for a database that cannot be opened; the driver's error is the cause. */
function openFailure(path: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : 'an unknown error';
  return new Error(`Cannot open the SQLite database "${path}": ${reason}`, { cause: error });
}

/** Creates the parent folder and an empty database file readable by this user only, unless it exists. */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    // `wx` fails on an existing file, whose mode is the operator's choice and stays as it is.
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return;
    throw error;
  }
  closeSync(fd);
  // The umask can only remove bits from 0600, but say it outright.
  chmodSync(path, 0o600);
}

/**
 * Best effort: SQLite creates the -wal and -shm files itself. It already gives them the database
 * file's permissions; this only makes sure, and ignores files that do not exist (yet).
 */
function restrictSideFiles(path: string): void {
  for (const suffix of ['-wal', '-shm']) {
    try {
      chmodSync(path + suffix, 0o600);
    } catch {
      // Missing or not ours to change: nothing to tighten.
    }
  }
}

/** The reads-only second connection (see `SqliteStoreDriver`). */
function openReader(path: string, busyTimeoutMs: number): BetterSqlite3.Database {
  const reader = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  try {
    reader.pragma('query_only = ON');
    reader.pragma('foreign_keys = ON');
  } catch (error) {
    reader.close();
    throw error;
  }
  return reader;
}

/**
 * Kysely's SQLite dialect over the store's own driver (`sqlite-driver.ts`: statement cache, group
 * commit, a reader connection), with migrations in one transaction: SQLite's DDL is transactional,
 * so a failed migration leaves the schema exactly as it was.
 */
class StoreSqliteDialect extends SqliteDialect {
  readonly #driver: SqliteStoreDriver;

  constructor(driver: SqliteStoreDriver) {
    // The database given here is never used: the driver below holds the connections.
    super({ database: {} as never });
    this.#driver = driver;
  }

  override createDriver(): Driver {
    return this.#driver;
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
