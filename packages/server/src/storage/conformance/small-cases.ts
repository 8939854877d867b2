/** Conformance cases for `AccessKeyRepository`, `MetaRepository` and `NonceRepository`. */
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

  describe('signature nonces', () => {
    it('lists each unexpired nonce of a key once with its latest expiry, by expiry, and purges expired entries', async () => {
      await store().nonces.remember([
        { accessKeyId: 'AK1', nonce: 'n1', expiresAt: T0 + 1000 },
        { accessKeyId: 'AK2', nonce: 'n1', expiresAt: T0 + 3000 },
        { accessKeyId: 'AK1', nonce: 'n2', expiresAt: T0 + 2000 },
      ]);
      // The same nonce again: the later expiry stays, an earlier one does not shorten it.
      await store().nonces.remember([{ accessKeyId: 'AK1', nonce: 'n1', expiresAt: T0 + 4000 }]);
      await store().nonces.remember([{ accessKeyId: 'AK1', nonce: 'n1', expiresAt: T0 + 500 }]);
      await store().nonces.remember([]);
      expect(await store().nonces.unexpired(T0, 10)).toEqual([
        { accessKeyId: 'AK1', nonce: 'n2', expiresAt: T0 + 2000 },
        { accessKeyId: 'AK2', nonce: 'n1', expiresAt: T0 + 3000 },
        { accessKeyId: 'AK1', nonce: 'n1', expiresAt: T0 + 4000 },
      ]);
      expect(await store().nonces.unexpired(T0 + 2000, 1)).toEqual([
        { accessKeyId: 'AK2', nonce: 'n1', expiresAt: T0 + 3000 },
      ]);
      // Rows expired at T0 + 3000: n1 and n2 of AK1 (1000, 2000, 500) and n1 of AK2 (3000).
      expect(await store().nonces.purgeExpired(T0 + 3000)).toBe(4);
      expect(await store().nonces.unexpired(T0, 10)).toEqual([
        { accessKeyId: 'AK1', nonce: 'n1', expiresAt: T0 + 4000 },
      ]);
    });
  });
}
