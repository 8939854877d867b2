/** `MetaRepository` over Kysely: a small name → value table. */
import type { MetaRepository } from '../store.js';
import type { Scope } from './scope.js';

/** Instance facts over Kysely; `set` is a single upsert. */
export class KyselyMetaRepository implements MetaRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async get(name: string): Promise<string | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst(),
    );
    return row?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.#scope.run((db) =>
      db
        .insertInto('meta')
        .values({ name, value })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
        .execute(),
    );
  }
}
