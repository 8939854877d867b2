/** `NonceRepository` over Kysely: accepted signature nonces with their expiry. */
import type { NonceRepository, StoredNonce } from '../store.js';
import type { Scope } from './scope.js';
import { StatementTemplate } from './statement-template.js';

/**
 * Appended once per signed request, compiled once. The log has no uniqueness (migration 0015): a
 * nonce is accepted once per process, and one written again by a retried batch reloads the same.
 */
const INSERT_NONCE = new StatementTemplate(['access_key_id', 'nonce', 'expires_at'] as const, (db, values) =>
  db.insertInto('signature_nonces').values(values),
);

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
        await INSERT_NONCE.execute(db, { access_key_id: accessKeyId, nonce, expires_at: expiresAt });
      }
    });
  }

  async unexpired(now: number, limit: number): Promise<StoredNonce[]> {
    const rows = await this.#scope.run((db) =>
      db
        .selectFrom('signature_nonces')
        .select(['access_key_id', 'nonce', (eb) => eb.fn.max('expires_at').as('expires_at')])
        .where('expires_at', '>', now)
        .groupBy(['access_key_id', 'nonce'])
        .orderBy('expires_at', 'asc')
        .orderBy('access_key_id', 'asc')
        .orderBy('nonce', 'asc')
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
