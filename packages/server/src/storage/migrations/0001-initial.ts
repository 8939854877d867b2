import type { Kysely } from 'kysely';

import type { StoreCapabilities } from '../capabilities.js';
import { codePointOrdered } from './code-point-order.js';

/**
 * The first schema: secrets with their versions, stages and tags; keys with their versions, tags and
 * aliases; access keys; and `meta` (account id, root-key check value).
 */
export async function initialSchema(db: Kysely<unknown>, capabilities: StoreCapabilities): Promise<void> {
  const bytes = capabilities.binaryType;
  // Columns that listings sort by compare by code point on every engine.
  const sorted = codePointOrdered(capabilities);

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
