import type { Kysely } from 'kysely';

/**
 * Cron rotation schedules (docs/rotation.md): a policy runs either a fixed interval or a `cron(…)`
 * expression, kept as written; older policies have none.
 */
export async function rotationCronSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('secret_rotation').addColumn('cron_expression', 'text').execute();
}
