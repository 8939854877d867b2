/** `KeyRepository` over Kysely: one row per key plus version (with wrapped material) and tag rows. */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';

import { DomainError } from '../../domain/errors.js';
import { KEY_STATES } from '../../domain/key.js';
import type { Key, KeyOwner, KeyVersion } from '../../domain/key.js';
import type { EpochMs } from '../../domain/secret.js';
import type { Tag } from '../../domain/validation.js';
import type { KeysTable } from '../schema.js';
import type { KeyListQuery, KeyRepository, Page, ReadOptions } from '../store.js';
import { groupTags, internalError, oneOf, toCount } from './rows.js';
import type { Db, Scope } from './scope.js';

const KEY_OWNERS = ['customer', 'service'] as const satisfies readonly KeyOwner[];

/**
 * Keys over Kysely. `save` writes what can change after creation (description, state, deletion date,
 * primary version, rotation time, tags) and fails with `key_not_found` for a key that is not stored;
 * `addVersion` for an unknown key fails with `key_not_found` too.
 */
export class KyselyKeyRepository implements KeyRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async insert(key: Key, version: KeyVersion, wrappedMaterial: Uint8Array): Promise<void> {
    if (version.keyId !== key.id)
      throw internalError('A key version must belong to the key it is inserted with.');
    await this.#scope.atomic(async (db) => {
      await db
        .insertInto('keys')
        .values({
          id: key.id,
          description: key.description,
          owner: key.owner,
          state: key.state,
          created_at: key.createdAt,
          delete_at: key.deleteAt,
          primary_version_id: key.primaryVersionId,
          last_rotated_at: key.lastRotatedAt,
          rotation_interval_seconds: key.rotationIntervalSeconds,
        })
        .execute();
      await insertTags(db, key.id, key.tags);
      await insertVersion(db, version, 1, wrappedMaterial);
    });
  }

  async get(keyId: string, options: ReadOptions = {}): Promise<Key | undefined> {
    const lock = this.#scope.lockRows(options.forUpdate);
    return this.#scope.snapshot(async (db) => {
      let query = db.selectFrom('keys').selectAll().where('id', '=', keyId);
      if (lock) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row && toKey(row, await readTags(db, [row.id]));
    });
  }

  async getServiceKey(): Promise<Key | undefined> {
    return this.#scope.snapshot(async (db) => {
      const row = await db
        .selectFrom('keys')
        .selectAll()
        .where('owner', '=', 'service')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return row && toKey(row, await readTags(db, [row.id]));
    });
  }

  async save(key: Key): Promise<void> {
    await this.#scope.atomic(async (db) => {
      const updated = await db
        .updateTable('keys')
        .set({
          description: key.description,
          state: key.state,
          delete_at: key.deleteAt,
          primary_version_id: key.primaryVersionId,
          last_rotated_at: key.lastRotatedAt,
          rotation_interval_seconds: key.rotationIntervalSeconds,
        })
        .where('id', '=', key.id)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw keyNotFound(key.id);
      await db.deleteFrom('key_tags').where('key_id', '=', key.id).execute();
      await insertTags(db, key.id, key.tags);
    });
  }

  async addVersion(version: KeyVersion, wrappedMaterial: Uint8Array): Promise<void> {
    await this.#scope.atomic(
      async (db) => {
        const { last } = await db
          .selectFrom('key_versions')
          .select((eb) => eb.fn.max<number | string | bigint | null>('seq').as('last'))
          .where('key_id', '=', version.keyId)
          .executeTakeFirstOrThrow();
        await insertVersion(db, version, Number(last ?? 0) + 1, wrappedMaterial);
      },
      { foreignKey: () => keyNotFound(version.keyId) },
    );
  }

  async getWrappedMaterial(keyId: string, versionId: string): Promise<Uint8Array | undefined> {
    const row = await this.#scope.run((db) =>
      db
        .selectFrom('key_versions')
        .select('wrapped_material')
        .where('key_id', '=', keyId)
        .where('version_id', '=', versionId)
        .executeTakeFirst(),
    );
    return row?.wrapped_material;
  }

  async listVersions(keyId: string): Promise<KeyVersion[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('key_versions')
        .select(['key_id', 'version_id', 'created_at'])
        .where('key_id', '=', keyId)
        .orderBy('seq')
        .execute(),
    );
    return rows.map((r) => ({ keyId: r.key_id, versionId: r.version_id, createdAt: r.created_at }));
  }

  async list(query: KeyListQuery): Promise<Page<Key>> {
    const { owner, states = [] } = query;
    return this.#scope.snapshot(async (db) => {
      let filtered = db.selectFrom('keys').where('owner', '=', owner);
      if (states.length > 0) filtered = filtered.where('state', 'in', states);
      const { total } = await filtered.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
      const rows = await filtered
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      const tags = await readTags(
        db,
        rows.map((r) => r.id),
      );
      return { items: rows.map((row) => toKey(row, tags)), total: toCount(total) };
    });
  }

  async destroy(keyId: string): Promise<void> {
    await this.#scope.atomic(async (db) => {
      await db.deleteFrom('aliases').where('key_id', '=', keyId).execute();
      await db.deleteFrom('key_tags').where('key_id', '=', keyId).execute();
      await db.deleteFrom('key_versions').where('key_id', '=', keyId).execute();
      await db.deleteFrom('keys').where('id', '=', keyId).execute();
    });
  }

  async listExpired(now: EpochMs, limit: number): Promise<string[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('keys')
        .select('id')
        .where('delete_at', '<=', now)
        .orderBy('delete_at')
        .orderBy('id')
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => r.id);
  }

  async listDueForRotation(now: EpochMs, limit: number): Promise<string[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('keys')
        .select('id')
        .where('owner', '=', 'customer')
        .where('state', '=', 'enabled')
        .where('rotation_interval_seconds', 'is not', null)
        .where(sql<number>`last_rotated_at + rotation_interval_seconds * 1000`, '<=', now)
        .orderBy('last_rotated_at')
        .orderBy('id')
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => r.id);
  }
}

function keyNotFound(keyId: string): DomainError {
  return new DomainError('key_not_found', `The key "${keyId}" does not exist.`, { resource: keyId });
}

async function insertVersion(
  db: Db,
  version: KeyVersion,
  seq: number,
  wrappedMaterial: Uint8Array,
): Promise<void> {
  await db
    .insertInto('key_versions')
    .values({
      key_id: version.keyId,
      version_id: version.versionId,
      seq,
      created_at: version.createdAt,
      wrapped_material: wrappedMaterial,
    })
    .execute();
}

async function insertTags(db: Db, keyId: string, tags: readonly Tag[]): Promise<void> {
  if (tags.length === 0) return;
  await db
    .insertInto('key_tags')
    .values(tags.map((t, position) => ({ key_id: keyId, key: t.key, value: t.value, position })))
    .execute();
}

async function readTags(db: Db, keyIds: readonly string[]): Promise<Map<string, Tag[]>> {
  if (keyIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('key_tags')
    .select(['key_id', 'key', 'value'])
    .where('key_id', 'in', keyIds)
    .orderBy('key_id')
    .orderBy('position')
    .execute();
  return groupTags(rows, (r) => r.key_id);
}

function toKey(row: Selectable<KeysTable>, tags: ReadonlyMap<string, Tag[]>): Key {
  return {
    id: row.id,
    description: row.description,
    owner: oneOf(row.owner, KEY_OWNERS, 'key owner'),
    state: oneOf(row.state, KEY_STATES, 'key state'),
    createdAt: row.created_at,
    deleteAt: row.delete_at,
    primaryVersionId: row.primary_version_id,
    lastRotatedAt: row.last_rotated_at,
    rotationIntervalSeconds: row.rotation_interval_seconds,
    tags: tags.get(row.id) ?? [],
  };
}
