/** Conformance cases for `SecretRepository`: the aggregate, its versions, stages, ciphertext and deletion. */
import { describe, expect, it } from 'vitest';

import {
  deleteSecret,
  restoreSecret,
  STAGE_CURRENT,
  STAGE_PREVIOUS,
  tagSecret,
  untagSecret,
  updateDescription,
  updateVersionStage,
} from '../../domain/secret.js';
import type { Secret } from '../../domain/secret.js';
import {
  addVersion,
  bytes,
  ciphertextFor,
  everyByte,
  expectDomainError,
  expectSameCiphertext,
  insertSecret,
  makeSecret,
  SMALL_LIMITS,
  T0,
  uniqueId,
} from './fixtures.js';
import type { StoreRef } from './fixtures.js';

const DAY_MS = 86_400_000;

/** Registers the secret aggregate cases. */
export function describeSecretCases(store: StoreRef): void {
  describe('secrets', () => {
    it('inserts a secret and reads the same aggregate back by name', async () => {
      const { secret } = await insertSecret(store(), {
        description: 'database password',
        tags: [
          { key: 'team', value: 'payments' },
          { key: 'env', value: 'prod' },
        ],
        dataType: 'binary',
      });
      const read = await store().secrets.getByName(secret.name);
      expect(read).toEqual(secret);
      // Tags come back in the order they were saved, not sorted.
      expect(read?.tags.map((t) => t.key)).toEqual(['team', 'env']);
    });

    it('keeps the secret type, ExtendedConfig and its authorized target, and saves changes to them', async () => {
      const { secret } = await insertSecret(store(), {
        secretType: 'Rds',
        extendedConfig: '{"DBInstanceId":"db-1","SecretSubType":"SingleUser"}',
        authorizedRotationTarget: 'database:first',
      });
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);
      expect(secret.authorizedRotationTarget).toBe('database:first');
      const changed = {
        ...secret,
        extendedConfig: '{"RotationWebhook":"hook"}',
        authorizedRotationTarget: 'webhook:second',
        updatedAt: T0 + 1,
      };
      await store().secrets.save(changed);
      expect(await store().secrets.getByName(secret.name)).toEqual(changed);
      const page = await store().secrets.list({ secretTypes: ['Rds'], offset: 0, limit: 10 });
      expect(page.items.map((s) => [s.name, s.secretType])).toEqual([[secret.name, 'Rds']]);
      expect((await store().secrets.list({ secretTypes: [], offset: 0, limit: 10 })).total).toBe(0);
    });

    it('answers undefined for a name nobody used', async () => {
      expect(await store().secrets.getByName('no-such-secret')).toBeUndefined();
    });

    it('refuses a second secret with a taken name as secret_already_exists and keeps the first', async () => {
      const { secret } = await insertSecret(store(), { name: 'taken-name' });
      const clash = makeSecret({ name: 'taken-name', description: 'other' });
      const error = await expectDomainError(
        store().secrets.insert(clash, ciphertextFor(2)),
        'secret_already_exists',
      );
      expect(error.details.resource).toBe('taken-name');
      expect(await store().secrets.getByName('taken-name')).toEqual(secret);
    });

    it('round-trips ciphertext byte for byte', async () => {
      const exotic = { encryptedDataKey: everyByte(), encryptedValue: bytes(30_720, 9) };
      const secret = makeSecret();
      await store().secrets.insert(secret, exotic);
      expectSameCiphertext(await store().secrets.getCiphertext(secret.id, 'v1'), exotic);
      // A view into a larger buffer is stored as the view, not as the whole buffer.
      const backing = bytes(100, 3);
      const view = { encryptedDataKey: backing.subarray(10, 20), encryptedValue: backing.subarray(50, 51) };
      const viewed = makeSecret();
      await store().secrets.insert(viewed, view);
      expectSameCiphertext(await store().secrets.getCiphertext(viewed.id, 'v1'), view);
    });

    it('answers undefined for the ciphertext of an unknown version or secret', async () => {
      const { secret } = await insertSecret(store());
      expect(await store().secrets.getCiphertext(secret.id, 'v9')).toBeUndefined();
      expect(await store().secrets.getCiphertext('no-such-id', 'v1')).toBeUndefined();
    });

    it('keeps versions oldest first in insertion order, even within one millisecond', async () => {
      let { secret } = await insertSecret(store(), { versionId: 'v-e' });
      const ids = ['v-e'];
      for (const [i, versionId] of ['v-a', 'v-d', 'v-b', 'v-c'].entries()) {
        ({ secret } = await addVersion(store(), secret, { versionId, dataType: 'text', now: T0 }, i + 2));
        ids.push(versionId);
        const read = await store().secrets.getByName(secret.name);
        expect(read?.versions.map((v) => v.versionId)).toEqual(ids);
      }
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);
    });

    it('adds a version and replaces the stage map on save', async () => {
      const first = await insertSecret(store(), {}, 1);
      const second = await addVersion(
        store(),
        first.secret,
        { versionId: 'v2', dataType: 'text', now: T0 + 1 },
        2,
      );
      const read = await store().secrets.getByName(first.secret.name);
      expect(read).toEqual(second.secret);
      expect(read?.stages.get(STAGE_CURRENT)).toBe('v2');
      expect(read?.stages.get(STAGE_PREVIOUS)).toBe('v1');
      expectSameCiphertext(await store().secrets.getCiphertext(first.secret.id, 'v1'), first.ciphertext);
      expectSameCiphertext(await store().secrets.getCiphertext(first.secret.id, 'v2'), second.ciphertext);
    });

    it('attaches, moves and removes custom stages', async () => {
      const { secret: inserted } = await insertSecret(store());
      let { secret } = await addVersion(
        store(),
        inserted,
        { versionId: 'v2', dataType: 'text', now: T0 + 1 },
        2,
      );
      const steps: ((s: Secret) => Secret)[] = [
        (s) => updateVersionStage(s, { stage: 'blue', moveToVersion: 'v1', now: T0 + 2 }),
        (s) =>
          updateVersionStage(s, { stage: 'blue', moveToVersion: 'v2', removeFromVersion: 'v1', now: T0 + 3 }),
        (s) => updateVersionStage(s, { stage: STAGE_CURRENT, moveToVersion: 'v1', now: T0 + 4 }),
        (s) => updateVersionStage(s, { stage: 'blue', removeFromVersion: 'v2', now: T0 + 5 }),
      ];
      for (const step of steps) {
        secret = step(secret);
        await store().secrets.save(secret);
        expect(await store().secrets.getByName(secret.name)).toEqual(secret);
      }
      expect([...secret.stages.keys()].sort()).toEqual([STAGE_CURRENT, STAGE_PREVIOUS]);
    });

    it('deletes evicted versions together with their ciphertext', async () => {
      const { secret: inserted } = await insertSecret(store(), {}, 1);
      let secret = inserted;
      const evictedAll: string[] = [];
      for (let n = 2; n <= 6; n++) {
        const change = await addVersion(
          store(),
          secret,
          { versionId: `v${n}`, dataType: 'text', now: T0 + n },
          n,
          SMALL_LIMITS,
        );
        secret = change.secret;
        evictedAll.push(...change.evicted);
      }
      expect(evictedAll).toEqual(['v1', 'v2', 'v3']);
      const read = await store().secrets.getByName(secret.name);
      expect(read).toEqual(secret);
      expect(read?.versions.map((v) => v.versionId)).toEqual(['v4', 'v5', 'v6']);
      for (const gone of evictedAll)
        expect(await store().secrets.getCiphertext(secret.id, gone)).toBeUndefined();
      expectSameCiphertext(await store().secrets.getCiphertext(secret.id, 'v6'), ciphertextFor(6));
    });

    it('persists description, tags, update time and the recovery window', async () => {
      const { secret: inserted } = await insertSecret(store(), { tags: [{ key: 'a', value: '1' }] });
      let secret = updateDescription(inserted, 'new text', T0 + 10);
      secret = tagSecret(
        secret,
        [
          { key: 'b', value: '2' },
          { key: 'a', value: '3' },
        ],
        T0 + 11,
      );
      await store().secrets.save(secret);
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);

      secret = untagSecret(secret, ['a'], T0 + 12);
      await store().secrets.save(secret);
      expect(await store().secrets.getByName(secret.name)).toEqual(secret);

      const outcome = deleteSecret(secret, { recoveryWindowDays: 7, force: false, now: T0 + 13 });
      if (outcome.kind !== 'scheduled') throw new Error('expected a scheduled deletion');
      await store().secrets.save(outcome.secret);
      const scheduled = await store().secrets.getByName(secret.name);
      expect(scheduled?.plannedDeleteAt).toBe(T0 + 13 + 7 * DAY_MS);

      const restored = restoreSecret(outcome.secret, T0 + 14);
      await store().secrets.save(restored);
      expect(await store().secrets.getByName(secret.name)).toEqual(restored);
    });

    it('fails to save a secret that does not exist with secret_not_found', async () => {
      const ghost = makeSecret();
      await expectDomainError(store().secrets.save(ghost), 'secret_not_found');
      expect(await store().secrets.getByName(ghost.name)).toBeUndefined();
    });

    it('lists secrets whose recovery window has ended, up to the limit', async () => {
      const names: string[] = [];
      for (const offset of [3000, 1000, 2000]) {
        const { secret } = await insertSecret(store());
        const outcome = deleteSecret(secret, { force: false, recoveryWindowDays: 7, now: T0 + offset });
        if (outcome.kind !== 'scheduled') throw new Error('expected a scheduled deletion');
        await store().secrets.save(outcome.secret);
        names.push(secret.name);
      }
      await insertSecret(store());
      const window = 7 * DAY_MS;
      expect(await store().secrets.listExpired(T0 + window, 10)).toEqual([]);
      // The boundary is inclusive: a window ending exactly now has ended.
      expect((await store().secrets.listExpired(T0 + window + 2000, 10)).sort()).toEqual(
        [names[1], names[2]].sort(),
      );
      expect((await store().secrets.listExpired(T0 + window + 5000, 10)).sort()).toEqual([...names].sort());
      const limited = await store().secrets.listExpired(T0 + window + 5000, 2);
      expect(limited).toHaveLength(2);
      for (const name of limited) expect(names).toContain(name);
    });

    it('destroys a secret with all its versions, ciphertext, stages and tags', async () => {
      const { secret: inserted } = await insertSecret(store(), { tags: [{ key: 'k', value: 'v' }] });
      const { secret } = await addVersion(
        store(),
        inserted,
        { versionId: 'v2', dataType: 'text', now: T0 + 1 },
        2,
      );
      const other = await insertSecret(store());
      await store().secrets.destroy(secret.id);

      expect(await store().secrets.getByName(secret.name)).toBeUndefined();
      expect(await store().secrets.getCiphertext(secret.id, 'v1')).toBeUndefined();
      expect(await store().secrets.getCiphertext(secret.id, 'v2')).toBeUndefined();
      expect(await store().secrets.list({ tagKeys: ['k'], offset: 0, limit: 10 })).toEqual({
        items: [],
        total: 0,
      });
      expect(await store().secrets.getByName(other.secret.name)).toEqual(other.secret);

      // The name is free again, and nothing of the old secret clings to the new one.
      const reborn = makeSecret({ name: secret.name, versionId: 'v2' });
      await store().secrets.insert(reborn, ciphertextFor(7));
      expect(await store().secrets.getByName(secret.name)).toEqual(reborn);
      expectSameCiphertext(await store().secrets.getCiphertext(reborn.id, 'v2'), ciphertextFor(7));
    });

    it('treats destroying an unknown secret as done', async () => {
      await store().secrets.destroy(uniqueId('missing'));
    });
  });
}
