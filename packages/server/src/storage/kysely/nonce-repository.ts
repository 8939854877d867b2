/** `NonceRepository` over Kysely: accepted signature nonces with their expiry. */
import type { NonceRepository, StoredNonce } from '../store.js';
import type { Scope } from './scope.js';

export class KyselyNonceRepository implements NonceRepository {
  readonly #scope: Scope;

  constructor(scope: Scope) {
    this.#scope = scope;
  }

  async remember(nonces: readonly StoredNonce[]): Promise<void> {
    if (nonces.length === 0) return;
    await this.#scope.atomic(async (db) => {
      // One statement per nonce: a multi-row insert would hit engines' bound-parameter limits.
      for (const { accessKeyId, nonce, expiresAt } of nonces) {
        await db
          .insertInto('signature_nonces')
          .values({ access_key_id: accessKeyId, nonce, expires_at: expiresAt })
          .onConflict((oc) =>
            oc
              .columns(['access_key_id', 'nonce'])
              .doUpdateSet({ expires_at: expiresAt })
              .where('signature_nonces.expires_at', '<', expiresAt),
          )
          .execute();
      }
    });
  }

  async unexpired(now: number, limit: number): Promise<StoredNonce[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('signature_nonces')
        .select(['access_key_id', 'nonce', 'expires_at'])
        .where('expires_at', '>', now)
        .orderBy('expires_at', 'asc')
        .limit(limit)
        .execute(),
    );
    return rows.map((row) => ({
      accessKeyId: row.access_key_id,
      nonce: row.nonce,
      expiresAt: row.expires_at,
    }));
  }

  async purgeExpired(now: number): Promise<number> {
    const result = await this.#scope.run((db) =>
      db.deleteFrom('signature_nonces').where('expires_at', '<=', now).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}
