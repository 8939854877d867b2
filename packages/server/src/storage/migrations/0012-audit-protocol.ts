import type { Kysely } from 'kysely';

/** The entry point of each request (alibaba, aws, console) in the audit trail; older events have none. */
export async function auditProtocol(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('protocol', 'text').execute();
}
