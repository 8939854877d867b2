import type { Kysely } from 'kysely';

import type { StoreCapabilities } from '../capabilities.js';
import { codePointOrdered } from './code-point-order.js';

/**
 * Rotation (docs/rotation.md): a secret's type and ExtendedConfig, its rotation policy, the runs with
 * their persisted step, leases that keep one process on a piece of work, and registered webhooks.
 */
export async function rotationSchema(db: Kysely<unknown>, capabilities: StoreCapabilities): Promise<void> {
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

  const sorted = codePointOrdered(capabilities);
  await db.schema
    .createTable('rotation_webhooks')
    .addColumn('name', 'text', (c) => sorted(c).primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('encrypted_signing_key', capabilities.binaryType, (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
