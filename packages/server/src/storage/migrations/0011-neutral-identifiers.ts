import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Protocol-neutral identifiers. The pending stage of a rotation was stored under Alibaba's name
 * (`ACSPending`); it is the built-in `$pending` now, as `$current` and `$previous` always were. Every
 * secret gets its immutable six-character ARN suffix (`Secret.arnSuffix`); secrets created before this
 * migration get a random one here.
 */
export async function neutralIdentifiers(db: Kysely<unknown>): Promise<void> {
  await sql`UPDATE secret_stages SET label = '$pending' WHERE label = 'ACSPending'`.execute(db);
  await db.schema
    .alterTable('secrets')
    .addColumn('arn_suffix', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const rows = await sql<{ id: string }>`SELECT id FROM secrets WHERE arn_suffix = ''`.execute(db);
  for (const { id } of rows.rows) {
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)] ?? '';
    await sql`UPDATE secrets SET arn_suffix = ${suffix} WHERE id = ${id}`.execute(db);
  }
}
