/** Conformance cases for `AccessKeyRepository` and `MetaRepository`. */
import { describe, expect, it } from 'vitest';

import type { AccessKeyRecord } from '../store.js';
import { bytes, everyByte, hex, T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

function comparable(record: AccessKeyRecord | undefined) {
  return record && { ...record, encryptedSecret: hex(record.encryptedSecret) };
}

/** Registers the access key and meta cases. */
export function describeSmallCases(store: StoreRef): void {
  describe('access keys', () => {
    it('puts, reads and replaces an access key, keeping the sealed secret byte for byte', async () => {
      const record: AccessKeyRecord = {
        id: 'AK1',
        userName: 'alice',
        status: 'active',
        encryptedSecret: everyByte(),
        createdAt: T0,
      };
      await store().accessKeys.put(record);
      const read = await store().accessKeys.get('AK1');
      expect(read?.encryptedSecret).toBeInstanceOf(Uint8Array);
      expect(comparable(read)).toEqual(comparable(record));

      const replaced: AccessKeyRecord = { ...record, status: 'inactive', encryptedSecret: bytes(40, 5) };
      await store().accessKeys.put(replaced);
      expect(comparable(await store().accessKeys.get('AK1'))).toEqual(comparable(replaced));
      expect(await store().accessKeys.get('AK-none')).toBeUndefined();
    });

    it("lists one user's access keys oldest first, then by id", async () => {
      const make = (id: string, userName: string, createdAt: number): AccessKeyRecord => ({
        id,
        userName,
        status: 'active',
        encryptedSecret: bytes(16, createdAt % 97),
        createdAt,
      });
      const records = [
        make('AK-c', 'bob', T0 + 5),
        make('AK-b', 'bob', T0),
        make('AK-a', 'bob', T0),
        make('AK-z', 'eve', T0),
      ];
      for (const record of records) await store().accessKeys.put(record);
      const listed = await store().accessKeys.listForUser('bob');
      expect(listed.map((r) => r.id)).toEqual(['AK-a', 'AK-b', 'AK-c']);
      expect(listed.map(comparable)).toEqual([records[2], records[1], records[0]].map(comparable));
      expect(await store().accessKeys.listForUser('nobody')).toEqual([]);
    });
  });

  describe('meta', () => {
    it('reads nothing, then a value, then its replacement', async () => {
      expect(await store().meta.get('account-id')).toBeUndefined();
      await store().meta.set('account-id', '1234567890');
      expect(await store().meta.get('account-id')).toBe('1234567890');
      await store().meta.set('account-id', 'changed');
      expect(await store().meta.get('account-id')).toBe('changed');
      await store().meta.set('empty', '');
      expect(await store().meta.get('empty')).toBe('');
    });
  });
}
