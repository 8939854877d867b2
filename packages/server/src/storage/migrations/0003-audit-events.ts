import type { Kysely } from 'kysely';

/** The audit trail (docs/audit.md): append-only records, looked up newest first by seq. */
export async function auditEventsSchema(db: Kysely<unknown>): Promise<void> {
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
