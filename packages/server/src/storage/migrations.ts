/**
 * Schema migrations, written with Kysely's schema builder so the same code runs on every engine; the
 * few differences come from `StoreCapabilities`. They are provided in code rather than read from a
 * folder, so a built server needs nothing beside its JavaScript.
 *
 * Rules for new migrations: append, never edit a released one; name them `NNNN_what` (the migrator
 * runs them in name order); only portable types (`text`, `integer`, `bigint`, the binary type from the
 * capabilities); timestamps are `bigint` epoch milliseconds. Each migration's schema changes are a
 * module of their own in `migrations/`; this file is their registry and the runner.
 */
import { Migrator } from 'kysely';
import type { Kysely, Migration } from 'kysely';

import type { StoreCapabilities } from './capabilities.js';
import type { Database } from './schema.js';
import { initialSchema } from './migrations/0001-initial.js';
import { secretPoliciesSchema } from './migrations/0002-secret-policies.js';
import { auditEventsSchema } from './migrations/0003-audit-events.js';
import { identitiesSchema } from './migrations/0004-identities.js';
import { rotationSchema } from './migrations/0005-rotation.js';
import { databaseInstancesSchema } from './migrations/0006-database-instances.js';
import { secretListingIndex } from './migrations/0007-secret-listing-index.js';
import { authorizedRotationTargetSchema } from './migrations/0008-authorized-rotation-target.js';
import { signatureNoncesSchema } from './migrations/0009-signature-nonces.js';
import { keyRotationSchema } from './migrations/0010-key-rotation.js';
import { neutralIdentifiers } from './migrations/0011-neutral-identifiers.js';
import { auditProtocol } from './migrations/0012-audit-protocol.js';
import { consoleSignInSchema } from './migrations/0013-console-sign-in.js';
import { rotationCronSchema } from './migrations/0014-rotation-cron.js';
import { appendOnlyNoncesSchema } from './migrations/0015-append-only-nonces.js';

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
    '0008_authorized_rotation_target': { up: (db) => authorizedRotationTargetSchema(db) },
    '0009_signature_nonces': { up: (db) => signatureNoncesSchema(db) },
    '0010_key_rotation': { up: (db) => keyRotationSchema(db) },
    '0011_neutral_identifiers': { up: (db) => neutralIdentifiers(db) },
    '0012_audit_protocol': { up: (db) => auditProtocol(db) },
    '0013_console_sign_in': { up: (db) => consoleSignInSchema(db, capabilities) },
    '0014_rotation_cron': { up: (db) => rotationCronSchema(db) },
    '0015_append_only_nonces': { up: (db) => appendOnlyNoncesSchema(db) },
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

/** The name of this build's newest migration: the schema version a migrated store is at. */
export function latestMigrationName(capabilities: StoreCapabilities): string {
  const names = Object.keys(createMigrations(capabilities)).sort();
  const latest = names.at(-1);
  if (latest === undefined) throw new Error('No migrations are registered.');
  return latest;
}
