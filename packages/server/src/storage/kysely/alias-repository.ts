/** `AliasRepository` over Kysely: one row per alias, pointing at a key. */
import { DomainError } from '../../domain/errors.js';
import type { Alias } from '../../domain/key.js';
import type { AliasListQuery, AliasRepository, Page } from '../store.js';
import { toCount } from './rows.js';
import type { Scope } from './scope.js';

/** Aliases over Kysely. An alias naming a key that is not stored fails with `key_not_found`. */
export class KyselyAliasRepository implements AliasRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async insert(alias: Alias): Promise<void> {
    await this.#scope.run(
      (db) => db.insertInto('aliases').values({ name: alias.name, key_id: alias.keyId }).execute(),
      {
        unique: () =>
          new DomainError('alias_already_exists', `The alias "${alias.name}" already exists.`, {
            resource: alias.name,
          }),
        foreignKey: () => keyNotFound(alias.keyId),
      },
    );
  }

  async get(name: string): Promise<Alias | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('aliases').select(['name', 'key_id']).where('name', '=', name).executeTakeFirst(),
    );
    return row && { name: row.name, keyId: row.key_id };
  }

  /** Throws `alias_not_found` when no alias has the name, `key_not_found` when the new key does not exist. */
  async update(alias: Alias): Promise<void> {
    const updated = await this.#scope.run(
      (db) =>
        db
          .updateTable('aliases')
          .set({ key_id: alias.keyId })
          .where('name', '=', alias.name)
          .executeTakeFirst(),
      { foreignKey: () => keyNotFound(alias.keyId) },
    );
    if (updated.numUpdatedRows === 0n) {
      throw new DomainError('alias_not_found', `The alias "${alias.name}" does not exist.`, {
        resource: alias.name,
      });
    }
  }

  async delete(name: string): Promise<boolean> {
    const deleted = await this.#scope.run((db) =>
      db.deleteFrom('aliases').where('name', '=', name).executeTakeFirst(),
    );
    return deleted.numDeletedRows > 0n;
  }

  async list(query: AliasListQuery): Promise<Page<Alias>> {
    const { keyId } = query;
    return this.#scope.snapshot(async (db) => {
      let filtered = db.selectFrom('aliases');
      if (keyId !== undefined) filtered = filtered.where('key_id', '=', keyId);
      const { total } = await filtered.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
      const rows = await filtered
        .select(['name', 'key_id'])
        .orderBy('name')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return { items: rows.map((r) => ({ name: r.name, keyId: r.key_id })), total: toCount(total) };
    });
  }
}

function keyNotFound(keyId: string): DomainError {
  return new DomainError('key_not_found', `The key "${keyId}" does not exist.`, { resource: keyId });
}
