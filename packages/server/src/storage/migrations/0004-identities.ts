import type { Kysely } from 'kysely';

import type { StoreCapabilities } from '../capabilities.js';
import { codePointOrdered } from './code-point-order.js';

/**
 * Identities: users, custom RAM policies, and attachments. Attachments and access keys name
 * their user; a rename rewrites them in the same transaction, so there is no foreign key to update
 * first. The administrator's row is created at start-up by the identity service, not here.
 */
export async function identitiesSchema(db: Kysely<unknown>, capabilities: StoreCapabilities): Promise<void> {
  const sorted = codePointOrdered(capabilities);

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => sorted(c).notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('comments', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('mobile_phone', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ram_policies')
    .addColumn('name', 'text', (c) => sorted(c).primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_policies')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('policy_type', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('attached_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_policies_pk', ['user_name', 'policy_type', 'policy_name'])
    .execute();
  // DeletePolicy's "still attached?" check and ListPolicies' AttachmentCount look policies up.
  await db.schema
    .createIndex('user_policies_policy_idx')
    .on('user_policies')
    .columns(['policy_type', 'policy_name'])
    .execute();
}
