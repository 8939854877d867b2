import type { Kysely } from 'kysely';

/** Secret policies (SetSecretPolicy / GetSecretPolicy): a document per secret and policy name. */
export async function secretPoliciesSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secret_policies')
    .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_policies_pk', ['secret_id', 'name'])
    .execute();
}
