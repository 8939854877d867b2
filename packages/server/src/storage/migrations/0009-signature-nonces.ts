import type { Kysely } from 'kysely';

/**
 * Signature nonces accepted within the timestamp window, so that a restart does not forget them
 * (docs/permissions.md, "Replay"). Rows past `expires_at` are swept.
 */
export async function signatureNoncesSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signature_nonces')
    .addColumn('access_key_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('signature_nonces_pk', ['access_key_id', 'nonce'])
    .execute();
  await db.schema
    .createIndex('signature_nonces_expiry_idx')
    .on('signature_nonces')
    .column('expires_at')
    .execute();
}
