/**
 * The secret versions' wrapped data keys as the re-wrap pass sees them (docs/crypto.md): walked in
 * (secret id, version id) order, and replaced only if they still hold what was read.
 */
import type { DataKeyPosition, WrappedDataKey } from '../store.js';
import type { Scope } from './scope.js';

export async function listDataKeys(
  scope: Scope,
  after: DataKeyPosition | undefined,
  limit: number,
): Promise<WrappedDataKey[]> {
  const rows = await scope.run((db) => {
    let query = db
      .selectFrom('secret_versions')
      .select(['secret_id', 'version_id', 'encrypted_data_key'])
      .orderBy('secret_id')
      .orderBy('version_id')
      .limit(limit);
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('secret_id', '>', after.secretId),
          eb.and([eb('secret_id', '=', after.secretId), eb('version_id', '>', after.versionId)]),
        ]),
      );
    }
    return query.execute();
  });
  return rows.map((row) => ({
    secretId: row.secret_id,
    versionId: row.version_id,
    encryptedDataKey: row.encrypted_data_key,
  }));
}

export async function replaceDataKey(
  scope: Scope,
  key: WrappedDataKey,
  replacement: Uint8Array,
): Promise<boolean> {
  const result = await scope.run((db) =>
    db
      .updateTable('secret_versions')
      .set({ encrypted_data_key: replacement })
      .where('secret_id', '=', key.secretId)
      .where('version_id', '=', key.versionId)
      .where('encrypted_data_key', '=', key.encryptedDataKey)
      .executeTakeFirst(),
  );
  return result.numUpdatedRows > 0n;
}
