/** Conformance cases for `KeyRepository` and `AliasRepository`. */
import { describe, expect, it } from 'vitest';

import {
  cancelKeyDeletion,
  disableKey,
  rotateKey,
  scheduleKeyDeletion,
  updateKeyDescription,
} from '../../domain/key.js';
import type { KeyVersion } from '../../domain/key.js';
import { bytes, everyByte, expectDomainError, hex, insertKey, makeKey, T0, uniqueId } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

const DAY_MS = 86_400_000;

/** Registers the key and alias cases. */
export function describeKeyCases(store: StoreRef): void {
  describe('keys', () => {
    it('inserts a key and reads it back', async () => {
      const { key, version } = makeKey({ description: 'orders' });
      const tagged = {
        ...key,
        tags: [
          { key: 'z', value: '1' },
          { key: 'a', value: '2' },
        ],
      };
      await store().keys.insert(tagged, version, everyByte());
      expect(await store().keys.get(key.id)).toEqual(tagged);
      expect(await store().keys.get(uniqueId('missing'))).toBeUndefined();
      expect(await store().keys.listVersions(key.id)).toEqual([version]);
      const material = await store().keys.getWrappedMaterial(key.id, version.versionId);
      expect(material).toBeInstanceOf(Uint8Array);
      expect(hex(material)).toBe(hex(everyByte()));
    });

    it('finds the service key only once it exists', async () => {
      await insertKey(store(), { owner: 'customer' });
      expect(await store().keys.getServiceKey()).toBeUndefined();
      const { key } = await insertKey(store(), { owner: 'service' });
      expect(await store().keys.getServiceKey()).toEqual(key);
    });

    it('persists state, deletion date, description, rotation and tags on save', async () => {
      const { key } = await insertKey(store());
      const steps = [
        disableKey(key),
        updateKeyDescription({ ...key, tags: [{ key: 'owner', value: 'ops' }] }, 'changed'),
        rotateKey(key, 'kv-next', T0 + 5),
        scheduleKeyDeletion(key, 7, T0 + 6),
      ];
      for (const step of steps) {
        await store().keys.save(step);
        expect(await store().keys.get(key.id)).toEqual(step);
      }
      const cancelled = cancelKeyDeletion(scheduleKeyDeletion(key, 7, T0));
      await store().keys.save(cancelled);
      expect(await store().keys.get(key.id)).toEqual(cancelled);
      await expectDomainError(store().keys.save(makeKey().key), 'key_not_found');
    });

    it('lists versions oldest first, even within one millisecond, with their material', async () => {
      const { key, version, material } = await insertKey(store(), {}, 1);
      const versions: KeyVersion[] = [version];
      const materials = [material];
      for (const [i, versionId] of ['kv-c', 'kv-a', 'kv-b'].entries()) {
        const added = { keyId: key.id, versionId, createdAt: T0 };
        const wrapped = bytes(44, i + 2);
        await store().keys.addVersion(added, wrapped);
        versions.push(added);
        materials.push(wrapped);
      }
      expect(await store().keys.listVersions(key.id)).toEqual(versions);
      for (const [i, v] of versions.entries()) {
        expect(hex(await store().keys.getWrappedMaterial(key.id, v.versionId))).toBe(hex(materials[i]));
      }
      expect(await store().keys.getWrappedMaterial(key.id, 'kv-none')).toBeUndefined();
      expect(await store().keys.listVersions(uniqueId('missing'))).toEqual([]);
    });

    it('lists keys of one owner by creation time then id, filtered by state, with totals', async () => {
      const late = await insertKey(store(), { id: 'key-a', now: T0 + 10 });
      const tieB = await insertKey(store(), { id: 'key-c', now: T0 });
      const tieA = await insertKey(store(), { id: 'key-b', now: T0 });
      await insertKey(store(), { id: 'key-service', owner: 'service', now: T0 - 10 });
      const disabled = disableKey(tieB.key);
      await store().keys.save(disabled);

      const all = await store().keys.list({ owner: 'customer', offset: 0, limit: 10 });
      expect(all.items.map((k) => k.id)).toEqual(['key-b', 'key-c', 'key-a']);
      expect(all.total).toBe(3);
      expect(all.items[1]).toEqual(disabled);

      const page = await store().keys.list({ owner: 'customer', offset: 1, limit: 1 });
      expect(page).toEqual({ items: [disabled], total: 3 });

      const enabled = await store().keys.list({
        owner: 'customer',
        states: ['enabled'],
        offset: 0,
        limit: 10,
      });
      expect(enabled).toEqual({ items: [tieA.key, late.key], total: 2 });
      const either = await store().keys.list({
        owner: 'customer',
        states: ['disabled', 'pending_deletion'],
        offset: 0,
        limit: 10,
      });
      expect(either.items.map((k) => k.id)).toEqual(['key-c']);
      const unfiltered = await store().keys.list({ owner: 'customer', states: [], offset: 0, limit: 10 });
      expect(unfiltered.total).toBe(3);
      const service = await store().keys.list({ owner: 'service', offset: 0, limit: 10 });
      expect(service.items.map((k) => k.id)).toEqual(['key-service']);
    });

    it('lists keys whose pending window has ended', async () => {
      const soon = await insertKey(store());
      const later = await insertKey(store());
      await insertKey(store());
      await store().keys.save(scheduleKeyDeletion(soon.key, 7, T0));
      await store().keys.save(scheduleKeyDeletion(later.key, 8, T0));
      expect(await store().keys.listExpired(T0 + 7 * DAY_MS - 1, 10)).toEqual([]);
      expect(await store().keys.listExpired(T0 + 7 * DAY_MS, 10)).toEqual([soon.key.id]);
      expect((await store().keys.listExpired(T0 + 9 * DAY_MS, 10)).sort()).toEqual(
        [soon.key.id, later.key.id].sort(),
      );
      expect(await store().keys.listExpired(T0 + 9 * DAY_MS, 1)).toHaveLength(1);
    });

    it('destroys a key with its versions, material and aliases', async () => {
      const doomed = await insertKey(store());
      const kept = await insertKey(store());
      await store().keys.addVersion(
        { keyId: doomed.key.id, versionId: 'kv-2', createdAt: T0 + 1 },
        bytes(44, 2),
      );
      await store().aliases.insert({ name: 'alias/doomed', keyId: doomed.key.id });
      await store().aliases.insert({ name: 'alias/kept', keyId: kept.key.id });
      await store().keys.destroy(doomed.key.id);

      expect(await store().keys.get(doomed.key.id)).toBeUndefined();
      expect(await store().keys.listVersions(doomed.key.id)).toEqual([]);
      expect(await store().keys.getWrappedMaterial(doomed.key.id, doomed.version.versionId)).toBeUndefined();
      expect(await store().keys.getWrappedMaterial(doomed.key.id, 'kv-2')).toBeUndefined();
      expect(await store().aliases.get('alias/doomed')).toBeUndefined();
      expect(await store().aliases.get('alias/kept')).toEqual({ name: 'alias/kept', keyId: kept.key.id });
      expect(await store().keys.get(kept.key.id)).toEqual(kept.key);
      await store().keys.destroy(uniqueId('missing'));
    });
  });

  describe('aliases', () => {
    it('inserts, reads, repoints and deletes an alias', async () => {
      const first = await insertKey(store());
      const second = await insertKey(store());
      await store().aliases.insert({ name: 'alias/app', keyId: first.key.id });
      expect(await store().aliases.get('alias/app')).toEqual({ name: 'alias/app', keyId: first.key.id });
      await store().aliases.update({ name: 'alias/app', keyId: second.key.id });
      expect(await store().aliases.get('alias/app')).toEqual({ name: 'alias/app', keyId: second.key.id });
      expect(await store().aliases.delete('alias/app')).toBe(true);
      expect(await store().aliases.delete('alias/app')).toBe(false);
      expect(await store().aliases.get('alias/app')).toBeUndefined();
    });

    it('refuses a taken alias name as alias_already_exists', async () => {
      const { key } = await insertKey(store());
      await store().aliases.insert({ name: 'alias/taken', keyId: key.id });
      const other = await insertKey(store());
      const error = await expectDomainError(
        store().aliases.insert({ name: 'alias/taken', keyId: other.key.id }),
        'alias_already_exists',
      );
      expect(error.details.resource).toBe('alias/taken');
      expect(await store().aliases.get('alias/taken')).toEqual({ name: 'alias/taken', keyId: key.id });
    });

    it('refuses an alias for a key that does not exist as key_not_found', async () => {
      const { key } = await insertKey(store());
      await expectDomainError(
        store().aliases.insert({ name: 'alias/orphan', keyId: 'no-such-key' }),
        'key_not_found',
      );
      await store().aliases.insert({ name: 'alias/real', keyId: key.id });
      await expectDomainError(
        store().aliases.update({ name: 'alias/real', keyId: 'no-such-key' }),
        'key_not_found',
      );
      expect(await store().aliases.get('alias/real')).toEqual({ name: 'alias/real', keyId: key.id });
    });

    it('refuses to repoint an alias that does not exist as alias_not_found', async () => {
      const { key } = await insertKey(store());
      await expectDomainError(
        store().aliases.update({ name: 'alias/none', keyId: key.id }),
        'alias_not_found',
      );
    });

    it('lists aliases by name, optionally for one key, with totals', async () => {
      const a = await insertKey(store());
      const b = await insertKey(store());
      for (const [name, keyId] of [
        ['alias/b', a.key.id],
        ['alias/C', b.key.id],
        ['alias/a', b.key.id],
        ['alias/c', a.key.id],
      ] as const) {
        await store().aliases.insert({ name, keyId });
      }
      const all = await store().aliases.list({ offset: 0, limit: 10 });
      expect(all.items.map((x) => x.name)).toEqual(['alias/C', 'alias/a', 'alias/b', 'alias/c']);
      expect(all.total).toBe(4);
      const page = await store().aliases.list({ offset: 1, limit: 2 });
      expect(page.items.map((x) => x.name)).toEqual(['alias/a', 'alias/b']);
      expect(page.total).toBe(4);
      const forA = await store().aliases.list({ keyId: a.key.id, offset: 0, limit: 10 });
      expect(forA).toEqual({
        items: [
          { name: 'alias/b', keyId: a.key.id },
          { name: 'alias/c', keyId: a.key.id },
        ],
        total: 2,
      });
    });
  });
}
