/**
 * The statements of the secret repository's hot paths, built and compiled by Kysely once
 * (`StatementTemplate`): every GetSecretValue that misses the cache runs the reads, and every
 * PutSecretValue and UpdateSecretVersionStage runs the locked re-read and the save (issue 14: building
 * these on each call cost more than SQLite took to run them). Rows that come in lists — stages, tags,
 * evicted versions — are written one statement per row, so the SQL text never depends on a count.
 */
import type { Secret, SecretVersion } from '../../domain/secret.js';
import type { SecretCiphertext } from '../store.js';
import type { Db } from './scope.js';
import { StatementTemplate } from './statement-template.js';

export const SECRET_BY_NAME = new StatementTemplate(['name'], (db, v) =>
  db.selectFrom('secrets').selectAll().where('name', '=', v.name),
);
export const VERSIONS_OF = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_versions')
    .select(['version_id', 'created_at', 'data_type'])
    .where('secret_id', '=', v.secretId)
    .orderBy('seq'),
);
export const STAGES_OF = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_stages')
    .select(['label', 'version_id'])
    .where('secret_id', '=', v.secretId)
    .orderBy('label'),
);
export const TAGS_OF = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_tags')
    .select(['key', 'value'])
    .where('secret_id', '=', v.secretId)
    .orderBy('position'),
);
export const CIPHERTEXT_OF = new StatementTemplate(['secretId', 'versionId'], (db, v) =>
  db
    .selectFrom('secret_versions')
    .select(['encrypted_data_key', 'encrypted_value'])
    .where('secret_id', '=', v.secretId)
    .where('version_id', '=', v.versionId),
);

const UPDATE_SECRET = new StatementTemplate(
  ['id', 'description', 'keyId', 'updatedAt', 'plannedDeleteAt', 'extendedConfig', 'authorizedTarget'],
  (db, v) =>
    db
      .updateTable('secrets')
      .set({
        description: v.description,
        encryption_key_id: v.keyId,
        updated_at: v.updatedAt,
        planned_delete_at: v.plannedDeleteAt,
        extended_config: v.extendedConfig,
        authorized_rotation_target: v.authorizedTarget,
      })
      .where('id', '=', v.id),
);
const DELETE_STAGES = new StatementTemplate(['secretId'], (db, v) =>
  db.deleteFrom('secret_stages').where('secret_id', '=', v.secretId),
);
const INSERT_STAGE = new StatementTemplate(['secretId', 'label', 'versionId'], (db, v) =>
  db.insertInto('secret_stages').values({ secret_id: v.secretId, label: v.label, version_id: v.versionId }),
);
const LAST_SEQ = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_versions')
    .select((eb) => eb.fn.max<number | string | bigint | null>('seq').as('last'))
    .where('secret_id', '=', v.secretId),
);
const INSERT_VERSION = new StatementTemplate(
  ['secretId', 'versionId', 'seq', 'createdAt', 'dataType', 'dataKey', 'value'],
  (db, v) =>
    db.insertInto('secret_versions').values({
      secret_id: v.secretId,
      version_id: v.versionId,
      seq: v.seq,
      created_at: v.createdAt,
      data_type: v.dataType,
      encrypted_data_key: v.dataKey,
      encrypted_value: v.value,
    }),
);
const DELETE_VERSION = new StatementTemplate(['secretId', 'versionId'], (db, v) =>
  db.deleteFrom('secret_versions').where('secret_id', '=', v.secretId).where('version_id', '=', v.versionId),
);
const DELETE_TAGS = new StatementTemplate(['secretId'], (db, v) =>
  db.deleteFrom('secret_tags').where('secret_id', '=', v.secretId),
);
const INSERT_TAG = new StatementTemplate(['secretId', 'key', 'value', 'position'], (db, v) =>
  db
    .insertInto('secret_tags')
    .values({ secret_id: v.secretId, key: v.key, value: v.value, position: v.position }),
);

/** Writes the secret row's changeable fields; returns whether the row exists. */
export async function updateSecretRow(db: Db, secret: Secret): Promise<boolean> {
  const result = await UPDATE_SECRET.execute(db, {
    id: secret.id,
    description: secret.description,
    keyId: secret.encryptionKeyId,
    updatedAt: secret.updatedAt,
    plannedDeleteAt: secret.plannedDeleteAt,
    extendedConfig: secret.extendedConfig,
    authorizedTarget: secret.authorizedRotationTarget,
  });
  return result.numAffectedRows !== 0n;
}

/** The highest version sequence number of the secret, 0 when it has none. */
export async function lastVersionSeq(db: Db, secretId: string): Promise<number> {
  const { rows } = await LAST_SEQ.execute<{ last: number | string | bigint | null }>(db, { secretId });
  return Number(rows[0]?.last ?? 0);
}

export async function insertVersion(
  db: Db,
  secretId: string,
  version: SecretVersion,
  seq: number,
  ciphertext: SecretCiphertext,
): Promise<void> {
  await INSERT_VERSION.execute(db, {
    secretId,
    versionId: version.versionId,
    seq,
    createdAt: version.createdAt,
    dataType: version.dataType,
    dataKey: ciphertext.encryptedDataKey,
    value: ciphertext.encryptedValue,
  });
}

export async function deleteVersions(db: Db, secretId: string, versionIds: readonly string[]): Promise<void> {
  for (const versionId of versionIds) await DELETE_VERSION.execute(db, { secretId, versionId });
}

/** Deletes the secret's stage rows (written again by `insertStages`). */
export async function deleteStages(db: Db, secretId: string): Promise<void> {
  await DELETE_STAGES.execute(db, { secretId });
}

/** One row per label of the secret's stage map. */
export async function insertStages(db: Db, secret: Secret): Promise<void> {
  for (const [label, versionId] of secret.stages) {
    await INSERT_STAGE.execute(db, { secretId: secret.id, label, versionId });
  }
}

/** Replaces the secret's tag rows with its tags, in order. */
export async function replaceTags(db: Db, secret: Secret): Promise<void> {
  await DELETE_TAGS.execute(db, { secretId: secret.id });
  await insertTags(db, secret);
}

export async function insertTags(db: Db, secret: Secret): Promise<void> {
  let position = 0;
  for (const { key, value } of secret.tags) {
    await INSERT_TAG.execute(db, { secretId: secret.id, key, value, position });
    position += 1;
  }
}
