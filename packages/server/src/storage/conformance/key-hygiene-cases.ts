/**
 * Conformance cases for automatic key rotation and re-wrapping: the rotation interval round-trips, the
 * "due" query, and the walk over secret versions' data keys with its compare-and-set replacement.
 */
import { describe, expect, it } from 'vitest';

import { disableKey } from '../../domain/key.js';
import { updateKeyRotationPolicy } from '../../domain/key-rotation.js';
import type { WrappedDataKey } from '../store.js';
import { addVersion, bytes, hex, insertKey, insertSecret, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

const DAY_S = 86_400;

export function describeKeyHygieneCases(store: StoreRef): void {
  describe('key rotation and data keys', () => {
    it('keeps the rotation interval and lists keys whose rotation is due, enabled customer keys only', async () => {
      const due = await insertKey(store());
      const later = await insertKey(store());
      const disabled = await insertKey(store());
      const off = await insertKey(store());
      await store().keys.save(updateKeyRotationPolicy(due.key, 7 * DAY_S));
      await store().keys.save(updateKeyRotationPolicy(later.key, 30 * DAY_S));
      await store().keys.save(disableKey(updateKeyRotationPolicy(disabled.key, 7 * DAY_S)));
      expect((await store().keys.get(due.key.id))?.rotationIntervalSeconds).toBe(7 * DAY_S);
      expect((await store().keys.get(off.key.id))?.rotationIntervalSeconds).toBeNull();

      const mine = new Set([due.key.id, later.key.id, disabled.key.id, off.key.id]);
      const dueAt = async (now: number) =>
        (await store().keys.listDueForRotation(now, 1000)).filter((id) => mine.has(id));
      expect(await dueAt(T0 + 7 * DAY_S * 1000 - 1)).toEqual([]);
      expect(await dueAt(T0 + 7 * DAY_S * 1000)).toEqual([due.key.id]);
      expect((await dueAt(T0 + 30 * DAY_S * 1000)).sort()).toEqual([due.key.id, later.key.id].sort());
    });

    it('walks every data key in pages and replaces one only while it holds what was read', async () => {
      const { secret } = await insertSecret(store(), {}, 11);
      await addVersion(store(), secret, { versionId: 'v2', dataType: 'text', now: T0 + 1 }, 12);
      const other = await insertSecret(store(), {}, 13);
      const mine = new Set([secret.id, other.secret.id]);

      const seen: WrappedDataKey[] = [];
      let page = await store().secrets.listDataKeys(undefined, 1);
      while (page.length > 0) {
        expect(page).toHaveLength(1);
        seen.push(...page.filter((k) => mine.has(k.secretId)));
        page = await store().secrets.listDataKeys(page[page.length - 1], 1);
      }
      expect(seen.map((k) => `${k.secretId}/${k.versionId}`).sort()).toEqual(
        [`${secret.id}/v1`, `${secret.id}/v2`, `${other.secret.id}/v1`].sort(),
      );

      const target = seen.find((k) => k.secretId === secret.id && k.versionId === 'v2');
      if (!target) throw new Error('missing data key');
      const replacement = bytes(60, 99);
      expect(await store().secrets.replaceDataKey(target, replacement)).toBe(true);
      // The stored key changed, so a second replacement from the stale read does nothing.
      expect(await store().secrets.replaceDataKey(target, bytes(60, 98))).toBe(false);
      const stored = await store().secrets.getCiphertext(secret.id, 'v2');
      expect(hex(stored?.encryptedDataKey)).toBe(hex(replacement));
    });
  });
}
