/**
 * `RootSealedRepository` over Kysely: the columns that hold values sealed under the root key (key
 * material, access-key secrets, webhook signing keys, console MFA secrets), listed together for root-key rotation.
 */
import type { RootSealedItem, RootSealedRepository } from '../store.js';
import type { Scope } from './scope.js';

export class KyselyRootSealedRepository implements RootSealedRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async list(): Promise<RootSealedItem[]> {
    return this.#scope.snapshot(async (db) => {
      const material = await db
        .selectFrom('key_versions')
        .select(['key_id', 'version_id', 'wrapped_material'])
        .orderBy('key_id')
        .orderBy('seq')
        .execute();
      const accessKeys = await db
        .selectFrom('access_keys')
        .select(['id', 'encrypted_secret'])
        .orderBy('id')
        .execute();
      const webhooks = await db
        .selectFrom('rotation_webhooks')
        .select(['name', 'encrypted_signing_key'])
        .orderBy('name')
        .execute();
      const mfa = await db
        .selectFrom('login_profiles')
        .select(['user_name', 'sealed_mfa_secret'])
        .where('sealed_mfa_secret', 'is not', null)
        .orderBy('user_name')
        .execute();
      return [
        ...material.map((row): RootSealedItem => ({
          kind: 'key_material',
          keyId: row.key_id,
          versionId: row.version_id,
          sealed: row.wrapped_material,
        })),
        ...accessKeys.map((row): RootSealedItem => ({
          kind: 'access_key_secret',
          accessKeyId: row.id,
          sealed: row.encrypted_secret,
        })),
        ...webhooks.map((row): RootSealedItem => ({
          kind: 'webhook_signing_key',
          name: row.name,
          sealed: row.encrypted_signing_key,
        })),
        ...mfa.flatMap((row): RootSealedItem[] =>
          row.sealed_mfa_secret === null
            ? []
            : [{ kind: 'mfa_secret', userName: row.user_name, sealed: row.sealed_mfa_secret }],
        ),
      ];
    });
  }

  async replace(item: RootSealedItem): Promise<void> {
    await this.#scope.run(async (db) => {
      switch (item.kind) {
        case 'key_material':
          await db
            .updateTable('key_versions')
            .set({ wrapped_material: item.sealed })
            .where('key_id', '=', item.keyId)
            .where('version_id', '=', item.versionId)
            .execute();
          return;
        case 'access_key_secret':
          await db
            .updateTable('access_keys')
            .set({ encrypted_secret: item.sealed })
            .where('id', '=', item.accessKeyId)
            .execute();
          return;
        case 'webhook_signing_key':
          await db
            .updateTable('rotation_webhooks')
            .set({ encrypted_signing_key: item.sealed })
            .where('name', '=', item.name)
            .execute();
          return;
        case 'mfa_secret':
          await db
            .updateTable('login_profiles')
            .set({ sealed_mfa_secret: item.sealed })
            .where('user_name', '=', item.userName)
            .execute();
          return;
      }
    });
  }
}
