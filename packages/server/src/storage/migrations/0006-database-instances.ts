import type { Kysely } from 'kysely';

/** Database instances registered for managed database secrets (the registry of `DBInstanceId`s). */
export async function databaseInstancesSchema(db: Kysely<unknown>): Promise<void> {
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
