/** Conformance cases for `Store.transaction`: atomicity, error surfacing and serialised writers. */
import { describe, expect, it } from 'vitest';

import { DomainError } from '../../domain/errors.js';
import { putVersion } from '../../domain/secret.js';
import {
  ciphertextFor,
  expectDomainError,
  expectSameCiphertext,
  insertSecret,
  makeKey,
  makeSecret,
  T0,
} from './fixtures.js';
import type { StoreRef } from './fixtures.js';

/** Registers the transaction cases. */
export function describeTransactionCases(store: StoreRef): void {
  describe('transactions', () => {
    it('commits every write of the work together and returns its result', async () => {
      const secret = makeSecret();
      const { key, version } = makeKey();
      const result = await store().transaction(async (tx) => {
        await tx.secrets.insert(secret, ciphertextFor(1));
        await tx.keys.insert(key, version, new Uint8Array([1, 2, 3]));
        await tx.meta.set('marker', 'written');
        // The transaction reads its own writes.
        expect(await tx.secrets.getByName(secret.name)).toEqual(secret);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);
      expect(await store().keys.get(key.id)).toEqual(key);
      expect(await store().meta.get('marker')).toBe('written');
    });

    it('writes nothing when the work throws, and rethrows the same error', async () => {
      const { secret: existing } = await insertSecret(store());
      const secret = makeSecret();
      const failure = new Error('work failed');
      const change = putVersion(existing, { versionId: 'v2', dataType: 'text', now: T0 + 1 });
      const thrown = await store()
        .transaction(async (tx) => {
          await tx.secrets.insert(secret, ciphertextFor(1));
          await tx.secrets.save(change.secret, { added: { versionId: 'v2', ciphertext: ciphertextFor(2) } });
          await tx.meta.set('marker', 'written');
          throw failure;
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(thrown).toBe(failure);
      expect(await store().secrets.getByName(secret.name)).toBeUndefined();
      expect(await store().secrets.getByName(existing.name)).toEqual(existing);
      expect(await store().secrets.getCiphertext(existing.id, 'v2')).toBeUndefined();
      expect(await store().meta.get('marker')).toBeUndefined();
    });

    it('passes a domain error thrown by the work through unchanged', async () => {
      const failure = new DomainError('secret_not_found', 'The secret "x" does not exist.', {
        resource: 'x',
      });
      await expect(
        store().transaction(async (tx) => {
          await tx.meta.set('marker', 'written');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store().meta.get('marker')).toBeUndefined();
    });

    it('surfaces a name clash inside a transaction as secret_already_exists and writes nothing', async () => {
      const { secret: existing } = await insertSecret(store(), { name: 'clash' });
      await expectDomainError(
        store().transaction(async (tx) => {
          await tx.meta.set('marker', 'written');
          await tx.secrets.insert(makeSecret({ name: 'clash' }), ciphertextFor(2));
        }),
        'secret_already_exists',
      );
      expect(await store().meta.get('marker')).toBeUndefined();
      expect(await store().secrets.getByName('clash')).toEqual(existing);
    });

    it('surfaces an alias clash inside a transaction as alias_already_exists', async () => {
      const { key, version } = makeKey();
      await store().keys.insert(key, version, new Uint8Array([9]));
      await store().aliases.insert({ name: 'alias/clash', keyId: key.id });
      await expectDomainError(
        store().transaction(async (tx) => {
          await tx.aliases.insert({ name: 'alias/clash', keyId: key.id });
        }),
        'alias_already_exists',
      );
    });

    it('reads for update and saves inside one transaction', async () => {
      const { secret } = await insertSecret(store());
      await store().transaction(async (tx) => {
        const current = await tx.secrets.getByName(secret.name, { forUpdate: true });
        if (!current) throw new Error('secret vanished');
        const change = putVersion(current, { versionId: 'v2', dataType: 'text', now: T0 + 1 });
        await tx.secrets.save(change.secret, { added: { versionId: 'v2', ciphertext: ciphertextFor(2) } });
        const key = await tx.keys.get('no-such-key', { forUpdate: true });
        expect(key).toBeUndefined();
      });
      const read = await store().secrets.getByName(secret.name);
      expect(read?.versions.map((v) => v.versionId)).toEqual(['v1', 'v2']);
      expectSameCiphertext(await store().secrets.getCiphertext(secret.id, 'v2'), ciphertextFor(2));
    });

    it('serialises concurrent read-modify-write transactions on one secret (no lost update)', async () => {
      const { secret } = await insertSecret(store());
      const writers = Array.from({ length: 5 }, (_, i) =>
        store().transaction(async (tx) => {
          const current = await tx.secrets.getByName(secret.name, { forUpdate: true });
          if (!current) throw new Error('secret vanished');
          const versionId = `w${i}`;
          const change = putVersion(current, { versionId, dataType: 'text', now: T0 + i });
          await tx.secrets.save(change.secret, {
            added: { versionId, ciphertext: ciphertextFor(10 + i) },
            evicted: change.evicted,
          });
        }),
      );
      await Promise.all(writers);
      const read = await store().secrets.getByName(secret.name);
      expect(read?.versions).toHaveLength(6);
      expect(new Set(read?.versions.map((v) => v.versionId))).toEqual(
        new Set(['v1', 'w0', 'w1', 'w2', 'w3', 'w4']),
      );
      const current = read?.stages.get('$current');
      const previous = read?.stages.get('$previous');
      // The last writer's version is current and the one before it previous: every save saw the one before.
      expect(current).toBe(read?.versions[5]?.versionId);
      expect(previous).toBe(read?.versions[4]?.versionId);
    });

    it('commits a relaxed transaction visibly before it resolves; a failing one writes nothing', async () => {
      // Relaxed: resolved once committed, perhaps before durable (the engine's part is tested apart).
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          store().transaction(
            async (tx) => {
              await tx.meta.set(`relaxed-${i}`, String(i));
              return i;
            },
            { durability: i % 2 === 0 ? 'relaxed' : 'durable' },
          ),
        ),
      );
      expect(results).toEqual([0, 1, 2, 3, 4]);
      for (let i = 0; i < 5; i++) expect(await store().meta.get(`relaxed-${i}`)).toBe(String(i));
      const failure = new Error('relaxed work failed');
      await expect(
        store().transaction(
          async (tx) => {
            await tx.meta.set('relaxed-failed', 'x');
            throw failure;
          },
          { durability: 'relaxed' },
        ),
      ).rejects.toBe(failure);
      expect(await store().meta.get('relaxed-failed')).toBeUndefined();
      await store().syncCommitted();
    });
  });
}
