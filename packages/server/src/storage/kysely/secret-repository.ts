/** `SecretRepository` over Kysely: one row per secret plus version, stage and tag rows. */
import type { Selectable } from 'kysely';

import { DomainError } from '../../domain/errors.js';
import type { EpochMs, Secret, SecretVersion } from '../../domain/secret.js';
import type { SecretPolicy } from '../../domain/secret-policy.js';
import { SECRET_DATA_TYPES } from '../../domain/validation.js';
import type { SecretsTable, SecretStagesTable, SecretTagsTable, SecretVersionsTable } from '../schema.js';
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
import type { PageBoundaryCache } from './page-boundaries.js';
import { internalError, oneOf } from './rows.js';
import type { Scope } from './scope.js';
import { listDataKeys, replaceDataKey } from './secret-data-keys.js';
import { listSecrets, toSummary } from './secret-listing.js';
import {
  CIPHERTEXT_OF,
  deleteStages,
  deleteVersions,
  insertStages,
  insertTags,
  insertVersion,
  lastVersionSeq,
  replaceTags,
  SECRET_BY_NAME,
  STAGES_OF,
  TAGS_OF,
  updateSecretRow,
  VERSIONS_OF,
} from './secret-statements.js';

/**
 * How the repository tells the page boundary cache (page-boundaries.ts) of writes that may change
 * what listings hold, before they run and once their transaction ended.
 */
export interface ListingWrites {
  readonly boundaries: PageBoundaryCache;
  /**
   * Inside a caller's transaction: marks it as changing listings; the store ends the mark when the
   * transaction ends. Undefined outside one, where each write's own transaction is tracked here.
   */
  readonly markTransaction?: (() => void) | undefined;
}

/**
 * Secrets over Kysely. `save` writes what can change after creation (description, encryption key,
 * tags, update time, planned deletion, stages, versions); id, name and creation time never change.
 * A `save` of a secret that is not stored fails with `secret_not_found`.
 */
export class KyselySecretRepository implements SecretRepository {
  readonly #scope: Scope;
  readonly #listings: ListingWrites;
  /**
   * What listings filter on (`listedFields`), per secret id, as read earlier in this transaction in a
   * state no other writer can change before it ends: a `save` that leaves them as they were changes
   * no listing (a new version, a moved label), so the page boundaries stay.
   */
  readonly #readListed = new Map<string, string>();

  constructor(scope: Scope, listings: ListingWrites) {
    this.#scope = scope;
    this.#listings = listings;
  }

  async getByName(name: string, options: ReadOptions = {}): Promise<Secret | undefined> {
    const secret = await this.#read(name, options);
    if (secret !== undefined && this.#scope.readsLatest(options.forUpdate))
      this.#readListed.set(secret.id, listedFields(secret));
    return secret;
  }

  /** Runs a write that may change what listings hold, announced to the page boundary cache. */
  async #changingListings<T>(work: () => Promise<T>): Promise<T> {
    const { boundaries, markTransaction } = this.#listings;
    if (markTransaction !== undefined) {
      markTransaction();
      return work();
    }
    const done = boundaries.writeStarted();
    try {
      return await work();
    } finally {
      done();
    }
  }

  async #read(name: string, options: ReadOptions): Promise<Secret | undefined> {
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

  async insert(secret: Secret, ciphertext?: SecretCiphertext): Promise<void> {
    const [first, ...rest] = secret.versions;
    if (rest.length > 0 || (first === undefined) !== (ciphertext === undefined))
      throw internalError('A new secret has one version and its ciphertext, or neither.');
    await this.#changingListings(() => this.#insert(secret, first, ciphertext));
  }

  async #insert(
    secret: Secret,
    first: SecretVersion | undefined,
    ciphertext?: SecretCiphertext,
  ): Promise<void> {
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
        if (first !== undefined && ciphertext !== undefined)
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
    let addition: { readonly version: SecretVersion; readonly ciphertext: SecretCiphertext } | undefined;
    if (added) {
      const version = secret.versions.find((v) => v.versionId === added.versionId);
      if (!version) throw internalError("The added version is not among the secret's versions.");
      addition = { version, ciphertext: added.ciphertext };
    }
    const listed = listedFields(secret);
    const persist = () => this.#save(secret, addition, evicted);
    if (this.#readListed.get(secret.id) === listed) await persist();
    else await this.#changingListings(persist);
    // Inside a transaction the row is now this writer's until it ends (written, so locked where locks exist).
    if (this.#scope.inTransaction) this.#readListed.set(secret.id, listed);
  }

  async #save(
    secret: Secret,
    added: { readonly version: SecretVersion; readonly ciphertext: SecretCiphertext } | undefined,
    evicted: readonly string[],
  ): Promise<void> {
    await this.#scope.atomic(
      async (db) => {
        // The secret row first: on engines with row locks this also queues concurrent savers.
        if (!(await updateSecretRow(db, secret))) {
          throw new DomainError('secret_not_found', `The secret "${secret.name}" does not exist.`, {
            resource: secret.name,
          });
        }
        // Stages go before evictions: a stage row must never point at a deleted version.
        await deleteStages(db, secret.id);
        if (added) {
          const seq = (await lastVersionSeq(db, secret.id)) + 1;
          await insertVersion(db, secret.id, added.version, seq, added.ciphertext);
        }
        await deleteVersions(db, secret.id, evicted);
        await insertStages(db, secret);
        await replaceTags(db, secret);
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

  list(query: SecretListQuery): Promise<Page<SecretSummary>> {
    return listSecrets(this.#scope, this.#listings.boundaries, query);
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
    this.#readListed.delete(secretId);
    await this.#changingListings(() => this.#destroy(secretId));
  }

  async #destroy(secretId: string): Promise<void> {
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

/** What listings filter on and can change (name and type never do), as one comparable string. */
function listedFields(secret: Pick<Secret, 'description' | 'tags' | 'plannedDeleteAt'>): string {
  return JSON.stringify([
    secret.description,
    secret.plannedDeleteAt,
    secret.tags.map((t) => [t.key, t.value]),
  ]);
}
