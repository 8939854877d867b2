import type { Kysely } from 'kysely';

/**
 * Automatic key rotation: the interval in seconds, null when off. The next rotation is derived from
 * `last_rotated_at`, so nothing else is stored; the index serves the rotation pass's "due" query.
 */
export async function keyRotationSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('keys').addColumn('rotation_interval_seconds', 'bigint').execute();
  await db.schema
    .createIndex('keys_rotation_idx')
    .on('keys')
    .columns(['rotation_interval_seconds', 'last_rotated_at'])
    .execute();
}
