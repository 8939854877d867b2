/**
 * Schema migrations, written with Kysely's schema builder so the same code runs on every engine; the
 * few differences come from `StoreCapabilities`. They are provided in code rather than read from a
 * folder, so a built server needs nothing beside its JavaScript.
 *
 * Rules for new migrations: append, never edit a released one; name them `NNNN_what` (the migrator
 * runs them in name order); only portable types (`text`, `integer`, `bigint`, the binary type from the
 * capabilities); timestamps are `bigint` epoch milliseconds.
 */
import { Migrator, sql } from 'kysely';
import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';

import type { StoreCapabilities } from './capabilities.js';
import type { Database } from './schema.js';

/** A migration failed or the recorded history does not match this build's; the store cannot open. */
export class MigrationError extends Error {
  /** The migration that failed, when one did (an inconsistent history names none). */
  readonly migrationName: string | undefined;

  constructor(message: string, migrationName: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
    this.migrationName = migrationName;
  }
}

/** Every migration, keyed by name, for the given engine. */
export function createMigrations(capabilities: StoreCapabilities): Record<string, Migration> {
  return {
    '0001_initial': { up: (db) => initialSchema(db, capabilities) },
    '0002_secret_policies': { up: (db) => secretPoliciesSchema(db) },
    '0003_audit_events': { up: (db) => auditEventsSchema(db) },
    '0004_identities': { up: (db) => identitiesSchema(db, capabilities) },
    '0005_rotation': { up: (db) => rotationSchema(db, capabilities) },
    '0006_database_instances': { up: (db) => databaseInstancesSchema(db) },
    '0007_secret_listing_index': { up: (db) => secretListingIndex(db) },
  };
}

export interface MigrateOptions {
  /**
   * The schema of the migrator's own bookkeeping tables, where the store's tables live in a schema of
   * their own (PostgreSQL). Without it the migrator would take another schema's history for its own.
   */
  readonly migrationTableSchema?: string | undefined;
}

/**
 * Brings the schema up to date. Throws `MigrationError` naming the failed migration, with the driver's
 * error as `cause`; migrations applied before it stay applied (each engine decides whether a whole run
 * is one transaction through its Kysely adapter's `supportsTransactionalDdl`).
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  capabilities: StoreCapabilities,
  options: MigrateOptions = {},
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(createMigrations(capabilities)) },
    ...(options.migrationTableSchema === undefined
      ? {}
      : { migrationTableSchema: options.migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  const reason = error instanceof Error ? error.message : 'an unknown error';
  const what = failed === undefined ? 'Database migration failed' : `Database migration "${failed}" failed`;
  throw new MigrationError(`${what}: ${reason}`, failed, { cause: error });
}

async function initialSchema(db: Kysely<unknown>, capabilities: StoreCapabilities): Promise<void> {
  const bytes = capabilities.binaryType;
  const { codePointCollation } = capabilities;
  // Columns that listings sort by compare by code point on every engine (see the capability).
  const sorted = (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    codePointCollation === undefined
      ? column
      : column.modifyFront(sql`collate ${sql.id(codePointCollation)}`);

  await db.schema
    .createTable('secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => sorted(c).notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('encryption_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('planned_delete_at', 'bigint')
    .execute();
  // The sweeper's `listExpired` scans by deletion date.
  await db.schema
    .createIndex('secrets_planned_delete_at_idx')
    .on('secrets')
    .column('planned_delete_at')
    .execute();

  await db.schema
    .createTable('secret_versions')
    .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull())
    .addColumn('encrypted_data_key', bytes, (c) => c.notNull())
    .addColumn('encrypted_value', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_versions_pk', ['secret_id', 'version_id'])
    // Also the index that reads a secret's versions in order.
    .addUniqueConstraint('secret_versions_seq_uq', ['secret_id', 'seq'])
    .execute();

  await db.schema
    .createTable('secret_stages')
    .addColumn('secret_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_stages_pk', ['secret_id', 'label'])
    // A stage can only point at a version that exists, and deleting a labelled version fails instead
    // of silently dropping the label (no cascade): the domain never evicts one.
    .addForeignKeyConstraint('secret_stages_version_fk', ['secret_id', 'version_id'], 'secret_versions', [
      'secret_id',
      'version_id',
    ])
    .execute();
  // Deleting a version checks the stages pointing at it.
  await db.schema
    .createIndex('secret_stages_version_idx')
    .on('secret_stages')
    .columns(['secret_id', 'version_id'])
    .execute();

  await db.schema
    .createTable('secret_tags')
    .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_tags_pk', ['secret_id', 'key'])
    .execute();

  await db.schema
    .createTable('keys')
    .addColumn('id', 'text', (c) => sorted(c).primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_at', 'bigint')
    .addColumn('primary_version_id', 'text', (c) => c.notNull())
    .addColumn('last_rotated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Key listings filter by owner and sort by creation time, then id.
  await db.schema
    .createIndex('keys_owner_created_idx')
    .on('keys')
    .columns(['owner', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('keys_delete_at_idx').on('keys').column('delete_at').execute();

  await db.schema
    .createTable('key_versions')
    .addColumn('key_id', 'text', (c) => c.notNull().references('keys.id').onDelete('cascade'))
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('wrapped_material', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('key_versions_pk', ['key_id', 'version_id'])
    .addUniqueConstraint('key_versions_seq_uq', ['key_id', 'seq'])
    .execute();

  await db.schema
    .createTable('key_tags')
    .addColumn('key_id', 'text', (c) => c.notNull().references('keys.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('key_tags_pk', ['key_id', 'key'])
    .execute();

  await db.schema
    .createTable('aliases')
    .addColumn('name', 'text', (c) => sorted(c).primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull().references('keys.id').onDelete('cascade'))
    .execute();
  // Listing a key's aliases, and deleting them with the key.
  await db.schema.createIndex('aliases_key_id_idx').on('aliases').column('key_id').execute();

  await db.schema
    .createTable('access_keys')
    .addColumn('id', 'text', (c) => sorted(c).primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('encrypted_secret', bytes, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_keys_user_name_idx').on('access_keys').column('user_name').execute();

  await db.schema
    .createTable('meta')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

/** Secret policies (SetSecretPolicy / GetSecretPolicy): a document per secret and policy name. */
async function secretPoliciesSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secret_policies')
    .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_policies_pk', ['secret_id', 'name'])
    .execute();
}

/** The audit trail (docs/audit.md): append-only records, looked up newest first by seq. */
async function auditEventsSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('principal', 'text')
    .addColumn('access_key_id', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('action', 'text')
    .addColumn('resource', 'text')
    .addColumn('secret_name', 'text')
    .addColumn('version_id', 'text')
    .addColumn('version_stage', 'text')
    .addColumn('key_id', 'text')
    .addColumn('result_code', 'text')
    .addColumn('http_status', 'integer')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // Lookups filter by one of these and page by seq (newest first), so each index ends with seq.
  await db.schema.createIndex('audit_events_time_idx').on('audit_events').columns(['time', 'seq']).execute();
  await db.schema
    .createIndex('audit_events_principal_idx')
    .on('audit_events')
    .columns(['principal', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_events_action_idx')
    .on('audit_events')
    .columns(['action', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_events_secret_name_idx')
    .on('audit_events')
    .columns(['secret_name', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_events_request_id_idx')
    .on('audit_events')
    .column('request_id')
    .execute();
}

/**
 * Rotation (docs/rotation.md): a secret's type and ExtendedConfig, its rotation policy, the runs with
 * their persisted step, leases that keep one process on a piece of work, and registered webhooks.
 */
async function rotationSchema(db: Kysely<unknown>, capabilities: StoreCapabilities): Promise<void> {
  await db.schema
    .alterTable('secrets')
    .addColumn('secret_type', 'text', (c) => c.notNull().defaultTo('Generic'))
    .execute();
  await db.schema.alterTable('secrets').addColumn('extended_config', 'text').execute();

  await db.schema
    .createTable('secret_rotation')
    .addColumn('secret_id', 'text', (c) => c.primaryKey().references('secrets.id').onDelete('cascade'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('interval_seconds', 'bigint')
    .addColumn('next_rotation_at', 'bigint')
    .addColumn('last_rotation_at', 'bigint')
    .execute();
  // The scheduler looks for enabled policies that are due.
  await db.schema
    .createIndex('secret_rotation_next_idx')
    .on('secret_rotation')
    .columns(['enabled', 'next_rotation_at'])
    .execute();

  await db.schema
    .createTable('rotation_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_id', 'text', (c) => c.notNull())
    .addColumn('secret_name', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('from_version_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_error_step', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    // The secret's id while the run is in progress, null once it ends: the unique constraint is what
    // keeps two runs of one secret from ever being in progress at once, across processes.
    .addColumn('active_secret_id', 'text', (c) => c.unique())
    // The VersionId is RotateSecret's idempotency token: one run per token and secret.
    .addUniqueConstraint('rotation_runs_token_uq', ['secret_id', 'version_id'])
    .execute();
  await db.schema
    .createIndex('rotation_runs_due_idx')
    .on('rotation_runs')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('rotation_runs_secret_idx')
    .on('rotation_runs')
    .columns(['secret_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  const { codePointCollation } = capabilities;
  await db.schema
    .createTable('rotation_webhooks')
    .addColumn('name', 'text', (c) =>
      (codePointCollation === undefined
        ? c
        : c.modifyFront(sql`collate ${sql.id(codePointCollation)}`)
      ).primaryKey(),
    )
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('encrypted_signing_key', capabilities.binaryType, (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

/**
 * Identities (issue 5): users, custom RAM policies, and attachments. Attachments and access keys name
 * their user; a rename rewrites them in the same transaction, so there is no foreign key to update
 * first. The administrator's row is created at start-up by the identity service, not here.
 */
async function identitiesSchema(db: Kysely<unknown>, capabilities: StoreCapabilities): Promise<void> {
  const { codePointCollation } = capabilities;
  const sorted = (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    codePointCollation === undefined
      ? column
      : column.modifyFront(sql`collate ${sql.id(codePointCollation)}`);

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => sorted(c).notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('comments', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('mobile_phone', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ram_policies')
    .addColumn('name', 'text', (c) => sorted(c).primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_policies')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('policy_type', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('attached_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_policies_pk', ['user_name', 'policy_type', 'policy_name'])
    .execute();
  // DeletePolicy's "still attached?" check and ListPolicies' AttachmentCount look policies up.
  await db.schema
    .createIndex('user_policies_policy_idx')
    .on('user_policies')
    .columns(['policy_type', 'policy_name'])
    .execute();
}

/** Database instances registered for managed database secrets (the registry of `DBInstanceId`s). */
async function databaseInstancesSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('database_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('engine', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('database_name', 'text')
    .addColumn('tls_mode', 'text', (c) => c.notNull())
    .addColumn('ca_certificate', 'text')
    .addColumn('admin_secret_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

/**
 * Listings walk secrets in name order and filter on the deletion date. With both in one index, the
 * rows a page skips (OFFSET) are stepped over in the index alone, and only the page's rows are read.
 */
async function secretListingIndex(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('secrets_name_listing_idx')
    .on('secrets')
    .columns(['name', 'planned_delete_at'])
    .execute();
}
