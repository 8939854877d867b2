import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Signature nonces become an append-only log (issue 14): every signed request adds one, and a primary
 * key on (access key, random nonce) made each insert dirty a random page of that index. Replays are
 * refused in memory (services/replay-guard.ts); the table is only reloaded at start, so it needs no
 * uniqueness, just the expiry index the sweep and the reload use, which grows at its end.
 */
export async function appendOnlyNoncesSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signature_nonces_log')
    .addColumn('access_key_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into signature_nonces_log (access_key_id, nonce, expires_at)
    select access_key_id, nonce, expires_at from signature_nonces`.execute(db);
  await db.schema.dropTable('signature_nonces').execute();
  await db.schema.alterTable('signature_nonces_log').renameTo('signature_nonces').execute();
  await db.schema
    .createIndex('signature_nonces_expiry_idx')
    .on('signature_nonces')
    .column('expires_at')
    .execute();
}
