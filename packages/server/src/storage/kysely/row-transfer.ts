/**
 * Export and import of every table's rows, for backups and for moving between engines. Rows travel
 * as the drivers hand them back (text, numbers, null, byte strings), which is the same on every
 * engine, so a SQLite export loads into PostgreSQL and back unchanged.
 *
 * The table list is checked against the schema's `Database` type at compile time: a new table that
 * is not listed here does not build, so a backup can never silently leave one out.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

import type { Database } from '../schema.js';
import type { RowBatch, StoredRow, StoredValue } from '../store.js';
import { internalError } from './rows.js';
import type { Db } from './scope.js';

/** Every table, parents before children, so rows load in this order without breaking a foreign key. */
export const TABLES_IN_LOAD_ORDER = [
  'keys',
  'key_versions',
  'key_tags',
  'aliases',
  'secrets',
  'secret_versions',
  'secret_stages',
  'secret_tags',
  'secret_policies',
  'users',
  'access_keys',
  'ram_policies',
  'user_policies',
  'meta',
  'audit_events',
  'secret_rotation',
  'rotation_runs',
  'leases',
  'rotation_webhooks',
  'database_instances',
  'signature_nonces',
  'login_profiles',
  'console_sessions',
] as const satisfies readonly (keyof Database)[];

export type TableName = (typeof TABLES_IN_LOAD_ORDER)[number];

type Unlisted = Exclude<keyof Database, TableName>;
/** Fails to compile when `Database` gains a table that is not in `TABLES_IN_LOAD_ORDER`. */
export const EVERY_TABLE_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

/**
 * Each table's primary key, the order an export pages through it in. The `Record` type makes the
 * list total.
 */
const PRIMARY_KEYS: Record<TableName, readonly string[]> = {
  keys: ['id'],
  key_versions: ['key_id', 'version_id'],
  key_tags: ['key_id', 'key'],
  aliases: ['name'],
  secrets: ['id'],
  secret_versions: ['secret_id', 'version_id'],
  secret_stages: ['secret_id', 'label'],
  secret_tags: ['secret_id', 'key'],
  secret_policies: ['secret_id', 'name'],
  users: ['id'],
  access_keys: ['id'],
  ram_policies: ['name'],
  user_policies: ['user_name', 'policy_type', 'policy_name'],
  meta: ['name'],
  audit_events: ['seq'],
  secret_rotation: ['secret_id'],
  rotation_runs: ['id'],
  leases: ['name'],
  rotation_webhooks: ['name'],
  signature_nonces: ['access_key_id', 'nonce'],
  login_profiles: ['user_name'],
  console_sessions: ['id_hash'],
  database_instances: ['id'],
};

/** Leases name the live processes holding work, sessions the browsers signed in: a restored store starts with none. */
const TRANSIENT_TABLES: ReadonlySet<TableName> = new Set(['leases', 'console_sessions']);

/** Rows per page read, and per insert statement (well under every engine's parameter limit). */
const EXPORT_PAGE = 500;
const INSERT_CHUNK = 100;

export function isTableName(name: string): name is TableName {
  return (TABLES_IN_LOAD_ORDER as readonly string[]).includes(name);
}

/** Reads every table in pages inside the caller's (snapshot) transaction; returns rows per table. */
export async function exportTables(
  trx: Db,
  sink: (batch: RowBatch) => Promise<void>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES_IN_LOAD_ORDER) {
    counts[table] = 0;
    if (TRANSIENT_TABLES.has(table)) continue;
    const order = sql.join(PRIMARY_KEYS[table].map((column) => sql.ref(column)));
    for (let offset = 0; ; offset += EXPORT_PAGE) {
      const { rows } =
        await sql<StoredRow>`select * from ${sql.table(table)} order by ${order} limit ${EXPORT_PAGE} offset ${offset}`.execute(
          trx,
        );
      if (rows.length > 0) await sink({ table, rows: rows.map(normalise) });
      counts[table] += rows.length;
      if (rows.length < EXPORT_PAGE) break;
    }
  }
  return counts;
}

/** Whether any table but the transient ones holds a row. */
export async function holdsData(db: Db): Promise<boolean> {
  for (const table of TABLES_IN_LOAD_ORDER) {
    if (TRANSIENT_TABLES.has(table)) continue;
    const { rows } = await sql`select 1 as one from ${sql.table(table)} limit 1`.execute(db);
    if (rows.length > 0) return true;
  }
  return false;
}

/**
 * Inserts the batches in the caller's transaction. Batches must come in load order (a table never
 * after a later one); rows of transient tables are skipped.
 */
export async function importTables(
  trx: Db,
  batches: AsyncIterable<RowBatch>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(TABLES_IN_LOAD_ORDER.map((t) => [t, 0]));
  const loose = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
  let position = 0;
  for await (const batch of batches) {
    const { table } = batch;
    if (!isTableName(table)) throw internalError(`The rows name an unknown table "${table}".`);
    const at = TABLES_IN_LOAD_ORDER.indexOf(table);
    if (at < position) throw internalError(`The rows of "${table}" come after a later table's.`);
    position = at;
    if (TRANSIENT_TABLES.has(table)) continue;
    for (let start = 0; start < batch.rows.length; start += INSERT_CHUNK) {
      const chunk = batch.rows.slice(start, start + INSERT_CHUNK).map(toDriverValues);
      await loose.insertInto(table).values(chunk).execute();
    }
    counts[table] = (counts[table] ?? 0) + batch.rows.length;
  }
  return counts;
}

/** Byte strings as plain `Uint8Array` views and nothing else changed, so every engine's rows compare alike. */
function normalise(row: StoredRow): StoredRow {
  const out: Record<string, StoredValue> = {};
  for (const [column, value] of Object.entries(row) as [string, unknown][]) {
    out[column] = typeof value === 'bigint' ? Number(value) : (value as StoredValue);
  }
  return out;
}

/** Drivers bind `Buffer` as a byte string (node-postgres does not take a bare `Uint8Array`). */
function toDriverValues(row: StoredRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] =
      value instanceof Uint8Array && !Buffer.isBuffer(value)
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : value;
  }
  return out;
}
