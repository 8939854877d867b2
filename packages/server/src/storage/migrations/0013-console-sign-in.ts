import type { Kysely } from 'kysely';

import type { StoreCapabilities } from '../capabilities.js';

/** Console sign-in: login profiles (password hash, MFA) and the sessions sign-ins open. */
export async function consoleSignInSchema(
  db: Kysely<unknown>,
  capabilities: StoreCapabilities,
): Promise<void> {
  await db.schema
    .createTable('login_profiles')
    .addColumn('user_name', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_reset_required', 'integer', (c) => c.notNull())
    .addColumn('mfa_bind_required', 'integer', (c) => c.notNull())
    .addColumn('sealed_mfa_secret', capabilities.binaryType)
    .addColumn('mfa_last_step', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('console_sessions_by_user')
    .on('console_sessions')
    .column('user_name')
    .execute();
}
