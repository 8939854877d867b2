import type { Kysely } from 'kysely';

/**
 * What a secret's rotator binding was authorized against (docs/threat-model.md). Existing rows get
 * null: their bindings were never checked, so their rotations wait until someone allowed to use what
 * they reach binds them again.
 */
export async function authorizedRotationTargetSchema(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('secrets').addColumn('authorized_rotation_target', 'text').execute();
}
