/** `AccessKeyRepository` over Kysely: one row per access key; the secret arrives sealed. */
import type { Selectable } from 'kysely';

import type { AccessKeysTable } from '../schema.js';
import type { AccessKeyRecord, AccessKeyRepository, AccessKeyStatus } from '../store.js';
import { oneOf } from './rows.js';
import type { Scope } from './scope.js';

const ACCESS_KEY_STATUSES = ['active', 'inactive'] as const satisfies readonly AccessKeyStatus[];

/** Access keys over Kysely; `put` is a single upsert. */
export class KyselyAccessKeyRepository implements AccessKeyRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async put(record: AccessKeyRecord): Promise<void> {
    const row = {
      id: record.id,
      user_name: record.userName,
      status: record.status,
      encrypted_secret: record.encryptedSecret,
      created_at: record.createdAt,
    };
    // An upsert is one statement on every engine we target (SQLite ≥ 3.24, PostgreSQL ≥ 9.5).
    await this.#scope.run((db) =>
      db
        .insertInto('access_keys')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            user_name: row.user_name,
            status: row.status,
            encrypted_secret: row.encrypted_secret,
            created_at: row.created_at,
          }),
        )
        .execute(),
    );
  }

  async get(id: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.#scope.run((db) =>
      db.selectFrom('access_keys').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  /** Oldest first, then by id. */
  async listForUser(userName: string): Promise<AccessKeyRecord[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('access_keys')
        .selectAll()
        .where('user_name', '=', userName)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    );
    return rows.map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('access_keys').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}

function toRecord(row: Selectable<AccessKeysTable>): AccessKeyRecord {
  return {
    id: row.id,
    userName: row.user_name,
    status: oneOf(row.status, ACCESS_KEY_STATUSES, 'access key status'),
    encryptedSecret: row.encrypted_secret,
    createdAt: row.created_at,
  };
}
