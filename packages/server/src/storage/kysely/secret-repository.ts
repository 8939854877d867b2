/** `SecretRepository` over Kysely: one row per secret plus version, stage and tag rows. */
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';

import { DomainError } from '../../domain/errors.js';
import { SECRET_TYPES } from '../../domain/secret.js';
import type { EpochMs, Secret, SecretVersion } from '../../domain/secret.js';
import type { SecretPolicy } from '../../domain/secret-policy.js';
import { SECRET_DATA_TYPES } from '../../domain/validation.js';
import type {
  Database,
  SecretsTable,
  SecretStagesTable,
  SecretTagsTable,
  SecretVersionsTable,
} from '../schema.js';
import type {
  DataKeyPosition,
  WrappedDataKey,
  Page,
  ReadOptions,
  SecretCiphertext,
  SecretListQuery,
  SecretRepository,
  SecretSummary,
  SecretWrite,
} from '../store.js';
import { groupTags, internalError, oneOf, toCount } from './rows.js';
import type { Db, Scope } from './scope.js';
import { listDataKeys, replaceDataKey } from './secret-data-keys.js';
import { StatementTemplate } from './statement-template.js';

// The statements of a secret read, compiled once (see StatementTemplate): every GetSecretValue runs them.
const SECRET_BY_NAME = new StatementTemplate(['name'], (db, v) =>
  db.selectFrom('secrets').selectAll().where('name', '=', v.name),
);
const VERSIONS_OF = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_versions')
    .select(['version_id', 'created_at', 'data_type'])
    .where('secret_id', '=', v.secretId)
    .orderBy('seq'),
);
const STAGES_OF = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_stages')
    .select(['label', 'version_id'])
    .where('secret_id', '=', v.secretId)
    .orderBy('label'),
);
const TAGS_OF = new StatementTemplate(['secretId'], (db, v) =>
  db
    .selectFrom('secret_tags')
    .select(['key', 'value'])
    .where('secret_id', '=', v.secretId)
    .orderBy('position'),
);
const CIPHERTEXT_OF = new StatementTemplate(['secretId', 'versionId'], (db, v) =>
  db
    .selectFrom('secret_versions')
    .select(['encrypted_data_key', 'encrypted_value'])
    .where('secret_id', '=', v.secretId)
    .where('version_id', '=', v.versionId),
);

/**
 * Secrets over Kysely. `save` writes what can change after creation (description, encryption key,
 * tags, update time, planned deletion, stages, versions); id, name and creation time never change.
 * A `save` of a secret that is not stored fails with `secret_not_found`.
 */
export class KyselySecretRepository implements SecretRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async getByName(name: string, options: ReadOptions = {}): Promise<Secret | undefined> {
    const lock = this.#scope.lockRows(options.forUpdate);
    return this.#scope.snapshot(async (db) => {
      const row = lock
        ? await db.selectFrom('secrets').selectAll().where('name', '=', name).forUpdate().executeTakeFirst()
        : (await SECRET_BY_NAME.execute<Selectable<SecretsTable>>(db, { name })).rows[0];
      if (row === undefined) return undefined;
      const of = { secretId: row.id };
      const { rows: versions } = await VERSIONS_OF.execute<
        Pick<Selectable<SecretVersionsTable>, 'version_id' | 'created_at' | 'data_type'>
      >(db, of);
      const { rows: stages } = await STAGES_OF.execute<
        Pick<Selectable<SecretStagesTable>, 'label' | 'version_id'>
      >(db, of);
      const { rows: tags } = await TAGS_OF.execute<Pick<Selectable<SecretTagsTable>, 'key' | 'value'>>(
        db,
        of,
      );
      return {
        ...toSummary(row, tags),
        versions: versions.map((v): SecretVersion => ({
          versionId: v.version_id,
          createdAt: v.created_at,
          dataType: oneOf(v.data_type, SECRET_DATA_TYPES, 'data type'),
        })),
        stages: new Map(stages.map((s) => [s.label, s.version_id])),
      };
    });
  }

  async insert(secret: Secret, ciphertext: SecretCiphertext): Promise<void> {
    const [first, ...rest] = secret.versions;
    if (first === undefined || rest.length > 0) throw internalError('A new secret has exactly one version.');
    await this.#scope.atomic(
      async (db) => {
        await db
          .insertInto('secrets')
          .values({
            id: secret.id,
            name: secret.name,
            description: secret.description,
            encryption_key_id: secret.encryptionKeyId,
            created_at: secret.createdAt,
            updated_at: secret.updatedAt,
            planned_delete_at: secret.plannedDeleteAt,
            secret_type: secret.secretType,
            extended_config: secret.extendedConfig,
            arn_suffix: secret.arnSuffix,
            authorized_rotation_target: secret.authorizedRotationTarget,
          })
          .execute();
        await insertVersion(db, secret.id, first, 1, ciphertext);
        await insertStages(db, secret);
        await insertTags(db, secret);
      },
      {
        unique: () =>
          new DomainError('secret_already_exists', `A secret named "${secret.name}" already exists.`, {
            resource: secret.name,
          }),
      },
    );
  }

  async save(secret: Secret, write: SecretWrite = {}): Promise<void> {
    const { added, evicted = [] } = write;
    const addedVersion = added && secret.versions.find((v) => v.versionId === added.versionId);
    if (added && !addedVersion) throw internalError("The added version is not among the secret's versions.");
    await this.#scope.atomic(
      async (db) => {
        // The secret row first: on engines with row locks this also queues concurrent savers.
        const updated = await db
          .updateTable('secrets')
          .set({
            description: secret.description,
            encryption_key_id: secret.encryptionKeyId,
            updated_at: secret.updatedAt,
            planned_delete_at: secret.plannedDeleteAt,
            extended_config: secret.extendedConfig,
            authorized_rotation_target: secret.authorizedRotationTarget,
          })
          .where('id', '=', secret.id)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) {
          throw new DomainError('secret_not_found', `The secret "${secret.name}" does not exist.`, {
            resource: secret.name,
          });
        }
        // Stages go before evictions: a stage row must never point at a deleted version.
        await db.deleteFrom('secret_stages').where('secret_id', '=', secret.id).execute();
        if (added && addedVersion) {
          const { last } = await db
            .selectFrom('secret_versions')
            .select((eb) => eb.fn.max<number | string | bigint | null>('seq').as('last'))
            .where('secret_id', '=', secret.id)
            .executeTakeFirstOrThrow();
          await insertVersion(db, secret.id, addedVersion, Number(last ?? 0) + 1, added.ciphertext);
        }
        if (evicted.length > 0) {
          await db
            .deleteFrom('secret_versions')
            .where('secret_id', '=', secret.id)
            .where('version_id', 'in', evicted)
            .execute();
        }
        await insertStages(db, secret);
        await db.deleteFrom('secret_tags').where('secret_id', '=', secret.id).execute();
        await insertTags(db, secret);
      },
      {
        // Only a concurrent writer adding a version at the same moment gets here; a retry re-reads.
        unique: () =>
          new DomainError(
            'unavailable',
            `The secret "${secret.name}" changed while it was saved. Retry the request.`,
            {
              resource: secret.name,
            },
          ),
      },
    );
  }

  listDataKeys(after: DataKeyPosition | undefined, limit: number): Promise<WrappedDataKey[]> {
    return listDataKeys(this.#scope, after, limit);
  }

  replaceDataKey(key: WrappedDataKey, replacement: Uint8Array): Promise<boolean> {
    return replaceDataKey(this.#scope, key, replacement);
  }

  async getCiphertext(secretId: string, versionId: string): Promise<SecretCiphertext | undefined> {
    const { rows } = await this.#scope.run((db) =>
      CIPHERTEXT_OF.execute<Pick<Selectable<SecretVersionsTable>, 'encrypted_data_key' | 'encrypted_value'>>(
        db,
        { secretId, versionId },
      ),
    );
    const [row] = rows;
    return row && { encryptedDataKey: row.encrypted_data_key, encryptedValue: row.encrypted_value };
  }

  async list(query: SecretListQuery): Promise<Page<SecretSummary>> {
    const filter = (eb: ExpressionBuilder<Database, 'secrets'>) => eb.and(listConditions(eb, query));
    return this.#scope.snapshot(async (db) => {
      const total = await countListed(db, query, filter);
      const rows = await db
        .selectFrom('secrets')
        .selectAll()
        .where(filter)
        .orderBy('name')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      const tagRows =
        rows.length === 0
          ? []
          : await db
              .selectFrom('secret_tags')
              .select(['secret_id', 'key', 'value'])
              .where(
                'secret_id',
                'in',
                rows.map((r) => r.id),
              )
              .orderBy('secret_id')
              .orderBy('position')
              .execute();
      const tags = groupTags(tagRows, (t) => t.secret_id);
      return { items: rows.map((row) => toSummary(row, tags.get(row.id) ?? [])), total };
    });
  }

  async getPolicy(secretId: string, name: string): Promise<SecretPolicy | undefined> {
    const row = await this.#scope.run((db) =>
      db
        .selectFrom('secret_policies')
        .select(['document', 'updated_at'])
        .where('secret_id', '=', secretId)
        .where('name', '=', name)
        .executeTakeFirst(),
    );
    return row && { secretId, name, document: row.document, updatedAt: row.updated_at };
  }

  async savePolicy(policy: SecretPolicy): Promise<void> {
    await this.#scope.atomic(async (db) => {
      // Checked rather than left to the foreign key, so the answer is the same on every engine and pragma.
      const owner = await db
        .selectFrom('secrets')
        .select('name')
        .where('id', '=', policy.secretId)
        .executeTakeFirst();
      if (owner === undefined) {
        throw new DomainError('secret_not_found', 'The secret does not exist.', {
          resource: policy.secretId,
        });
      }
      await db
        .insertInto('secret_policies')
        .values({
          secret_id: policy.secretId,
          name: policy.name,
          document: policy.document,
          updated_at: policy.updatedAt,
        })
        .onConflict((oc) =>
          oc.columns(['secret_id', 'name']).doUpdateSet({
            document: policy.document,
            updated_at: policy.updatedAt,
          }),
        )
        .execute();
    });
  }

  async destroy(secretId: string): Promise<void> {
    await this.#scope.atomic(async (db) => {
      // Children first, so this works whether or not the engine enforces foreign keys.
      await db.deleteFrom('secret_policies').where('secret_id', '=', secretId).execute();
      await db.deleteFrom('secret_rotation').where('secret_id', '=', secretId).execute();
      await db.deleteFrom('rotation_runs').where('secret_id', '=', secretId).execute();
      await db.deleteFrom('secret_stages').where('secret_id', '=', secretId).execute();
      await db.deleteFrom('secret_tags').where('secret_id', '=', secretId).execute();
      await db.deleteFrom('secret_versions').where('secret_id', '=', secretId).execute();
      await db.deleteFrom('secrets').where('id', '=', secretId).execute();
    });
  }

  async listExpired(now: EpochMs, limit: number): Promise<string[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('secrets')
        .select('name')
        .where('planned_delete_at', '<=', now)
        .orderBy('planned_delete_at')
        .orderBy('name')
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => r.name);
  }
}

/**
 * The total of a listing. Without name, description, type or tag filters (the usual listing) it is every
 * secret less those its deletion-state filter leaves out, so no row is read: SQLite counts a whole
 * table from its smallest index, and the left-out ones come from the `planned_delete_at` index. A
 * filtered count reads every candidate row, on every page.
 */
async function countListed(
  db: Db,
  query: SecretListQuery,
  filter: (eb: ExpressionBuilder<Database, 'secrets'>) => Expression<SqlBool>,
): Promise<number> {
  const { namePrefixes = [], descriptions = [], tagKeys = [], tagValues = [], existingAt } = query;
  const count = async (where?: (eb: ExpressionBuilder<Database, 'secrets'>) => Expression<SqlBool>) => {
    let select = db.selectFrom('secrets').select((eb) => eb.fn.countAll().as('total'));
    if (where) select = select.where(where);
    return toCount((await select.executeTakeFirstOrThrow()).total);
  };
  const filtered =
    namePrefixes.length + descriptions.length + tagKeys.length + tagValues.length > 0 ||
    query.secretTypes !== undefined;
  if (filtered) return count(filter);
  let excluded = 0;
  if (query.excludePendingDeletion === true) {
    excluded = await count((eb) => eb('planned_delete_at', 'is not', null));
  } else if (existingAt !== undefined) {
    excluded = await count((eb) => eb('planned_delete_at', '<=', existingAt));
  }
  return (await count()) - excluded;
}

/** Filters of one kind are OR-ed (`in`, or an OR of prefixes); kinds are AND-ed. Empty lists filter nothing. */
function listConditions(
  eb: ExpressionBuilder<Database, 'secrets'>,
  query: SecretListQuery,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  const { namePrefixes = [], descriptions = [], tagKeys = [], tagValues = [], existingAt } = query;
  if (existingAt !== undefined) {
    conditions.push(
      eb.or([eb('secrets.planned_delete_at', 'is', null), eb('secrets.planned_delete_at', '>', existingAt)]),
    );
  }
  if (query.excludePendingDeletion === true) conditions.push(eb('secrets.planned_delete_at', 'is', null));
  if (namePrefixes.length > 0) {
    // substr rather than LIKE: LIKE ignores ASCII case on SQLite and needs escaping of % and _.
    // Lengths count code points, as substr does on every engine.
    conditions.push(
      eb.or(
        namePrefixes.map(
          (prefix) =>
            sql<SqlBool>`substr(${eb.ref('secrets.name')}, 1, ${Array.from(prefix).length}) = ${prefix}`,
        ),
      ),
    );
  }
  if (descriptions.length > 0) conditions.push(eb('secrets.description', 'in', descriptions));
  if (query.secretTypes !== undefined) {
    const types = query.secretTypes;
    conditions.push(types.length === 0 ? sql<SqlBool>`1 = 0` : eb('secrets.secret_type', 'in', types));
  }
  if (tagKeys.length > 0) conditions.push(eb.exists(taggedWith(eb, 'key', tagKeys)));
  if (tagValues.length > 0) conditions.push(eb.exists(taggedWith(eb, 'value', tagValues)));
  return conditions;
}

function taggedWith(
  eb: ExpressionBuilder<Database, 'secrets'>,
  column: 'key' | 'value',
  values: readonly string[],
) {
  return eb
    .selectFrom('secret_tags')
    .select(sql.lit(1).as('found'))
    .whereRef('secret_tags.secret_id', '=', 'secrets.id')
    .where(`secret_tags.${column}`, 'in', values);
}

async function insertVersion(
  db: Db,
  secretId: string,
  version: SecretVersion,
  seq: number,
  ciphertext: SecretCiphertext,
): Promise<void> {
  await db
    .insertInto('secret_versions')
    .values({
      secret_id: secretId,
      version_id: version.versionId,
      seq,
      created_at: version.createdAt,
      data_type: version.dataType,
      encrypted_data_key: ciphertext.encryptedDataKey,
      encrypted_value: ciphertext.encryptedValue,
    })
    .execute();
}

async function insertStages(db: Db, secret: Secret): Promise<void> {
  if (secret.stages.size === 0) return;
  await db
    .insertInto('secret_stages')
    .values(
      [...secret.stages].map(([label, versionId]) => ({
        secret_id: secret.id,
        label,
        version_id: versionId,
      })),
    )
    .execute();
}

async function insertTags(db: Db, secret: Secret): Promise<void> {
  if (secret.tags.length === 0) return;
  await db
    .insertInto('secret_tags')
    .values(
      secret.tags.map((t, position) => ({ secret_id: secret.id, key: t.key, value: t.value, position })),
    )
    .execute();
}

function toSummary(row: Selectable<SecretsTable>, tags: SecretSummary['tags']): SecretSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    encryptionKeyId: row.encryption_key_id,
    tags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    plannedDeleteAt: row.planned_delete_at,
    secretType: oneOf(row.secret_type, SECRET_TYPES, 'secret type'),
    extendedConfig: row.extended_config,
    arnSuffix: row.arn_suffix,
    authorizedRotationTarget: row.authorized_rotation_target,
  };
}
