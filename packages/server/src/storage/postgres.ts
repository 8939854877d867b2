/**
 * PostgreSQL wiring: with `postgres-change-feed.ts` (LISTEN/NOTIFY on a connection of its own), the
 * only module that imports `pg`. It opens a connection pool, makes the driver
 * hand back values as the shared repositories expect them (`int8` as numbers, `bytea` as bytes), runs
 * the migrations with PostgreSQL's capabilities and returns the shared Kysely store. Several server
 * processes may share one database: writers of one aggregate queue on row locks (`forUpdate`), and
 * the migrator takes an advisory lock so only one process migrates at a time.
 */
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PoolConfig } from 'pg';
import type { DatabaseConnection } from 'kysely';

import type { StoreCapabilities } from './capabilities.js';
import { KyselyStore } from './kysely-store.js';
import type { EngineDurability } from './kysely-store.js';
import { MigrationError, migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** What PostgreSQL can and cannot do, for the shared store and migrations (see `StoreCapabilities`). */
export const POSTGRES_CAPABILITIES: StoreCapabilities = Object.freeze({
  binaryType: 'bytea',
  supportsRowLocks: true,
  // Read-only aggregate reads see one snapshot. `Store.transaction` stays at the default (read
  // committed): its writers serialise on `forUpdate` row locks, and a locked read there must see the
  // previous writer's commit, which repeatable read would refuse with a serialization failure.
  snapshotIsolationLevel: 'repeatable read',
  codePointCollation: 'C',
});

/** Connections the pool opens at most, by default. */
export const DEFAULT_POSTGRES_POOL_SIZE = 10;

export interface PostgresStoreOptions {
  /** A libpq-style URL, e.g. `postgresql://tessera@db.internal:5432/tessera?sslmode=verify-full`. */
  readonly connectionString: string;
  /**
   * The schema holding Tessera's tables, created when missing. Defaults to the connection's own
   * search path (normally `public`). Lets one database hold several independent stores.
   */
  readonly schema?: string;
  /** Connections the pool opens at most. Defaults to `DEFAULT_POSTGRES_POOL_SIZE`. */
  readonly maxConnections?: number;
  /** How long to wait for a new connection before failing (`unavailable`). Defaults to 10 seconds. */
  readonly connectTimeoutMs?: number;
  /**
   * Secret listings whose page boundaries are kept in memory (`KyselyStoreOptions`). Defaults to 0:
   * other processes may write the same database, and the boundaries follow this process's writes
   * only. Only for a database this process alone writes.
   */
  readonly listingCacheEntries?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Opens a pool on the database named by `options.connectionString`, migrates it to the latest schema
 * and returns the store. Throws when the database cannot be reached or a migration fails (a
 * `MigrationError` naming the migration); the pool is closed again then.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { connectionString, schema, maxConnections = DEFAULT_POSTGRES_POOL_SIZE } = options;
  const { connectTimeoutMs = 10_000 } = options;
  if (connectionString === '') throw new Error('The PostgreSQL connection string is empty.');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error('The PostgreSQL schema name must be a plain identifier (letters, digits, _).');
  }
  if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
    throw new Error('The PostgreSQL pool size must be a whole number, 1 or more.');
  }
  const pool = new pg.Pool(poolConfig(connectionString, maxConnections, connectTimeoutMs));
  // An idle connection the server drops (restart, failover) must not crash the process; the pool
  // replaces it, and the next query that needs it reports the failure.
  pool.on('error', () => undefined);
  const useSchema = async (connection: DatabaseConnection): Promise<void> => {
    await connection.executeQuery(CompiledQuery.raw(`set search_path to "${schema}"`));
  };
  const db = new Kysely<Database>({
    dialect: new PostgresDialect(schema === undefined ? { pool } : { pool, onCreateConnection: useSchema }),
  });
  try {
    // Reach the server first, so an unreachable one is reported as that rather than as a migration.
    await sql`select 1`.execute(db);
    if (schema !== undefined) await db.schema.createSchema(schema).ifNotExists().execute();
    await migrateToLatest(db, POSTGRES_CAPABILITIES, { migrationTableSchema: schema });
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error instanceof MigrationError ? error : openFailure(connectionString, error);
  }
  return new KyselyStore(db, POSTGRES_CAPABILITIES, POSTGRES_DURABILITY, {
    listingCacheEntries: options.listingCacheEntries,
  });
}

/**
 * A relaxed transaction commits with `synchronous_commit = off`: PostgreSQL answers the COMMIT before
 * its WAL record is flushed (the WAL writer flushes it within three `wal_writer_delay`s, a durable
 * commit after it sooner). Its durable commits become visible only once flushed, so a relaxed one
 * never reads what a power cut could undo, other relaxed commits aside.
 */
const POSTGRES_DURABILITY: EngineDurability = {
  async relax(trx) {
    await sql`set local synchronous_commit = off`.execute(trx);
  },
  async syncCommitted(db) {
    // A transaction that takes a transaction id commits with a WAL record, and a durable commit
    // flushes the WAL up to it: every commit before it, relaxed ones included, is then on disk.
    await db.transaction().execute(async (trx) => {
      await sql`select txid_current()`.execute(trx);
    });
  },
};

function poolConfig(connectionString: string, max: number, connectionTimeoutMillis: number): PoolConfig {
  return {
    connectionString,
    max,
    connectionTimeoutMillis,
    types: int8AsNumber(),
  };
}

/** The driver's type parsers with `int8` as a number, for one pool (`pg.types` would change every pool). */
function int8AsNumber(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, 'text', parseInt8);
  return types;
}

/**
 * `int8` (timestamps, counts, the audit seq) as a number: node-postgres returns it as a string by
 * default, because it may exceed 2^53. Stored values are epoch milliseconds and counts, far below it;
 * one that is not fails loudly instead of losing precision.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error('A stored integer exceeds the safe integer range.');
  return value;
}

/**
 * An operator-facing error for a database that cannot be opened (the store's, the change feed's); the driver's error is the cause. It
 * names the host and database but never the connection string, which may carry a password.
 */
export function openFailure(connectionString: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message || error.name : 'an unknown error';
  return new Error(`Cannot open the PostgreSQL database ${describeTarget(connectionString)}: ${reason}`, {
    cause: error,
  });
}

function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    return `"${database}" on ${url.host || 'the default host'}`;
  } catch {
    return '(the connection string is not a URL)';
  }
}
