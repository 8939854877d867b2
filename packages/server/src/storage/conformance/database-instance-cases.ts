/** Conformance cases for `DatabaseInstanceRepository`. */
import { describe, expect, it } from 'vitest';

import type { DatabaseInstance } from '../../domain/database-instance.js';
import { T0 } from './fixtures.js';
import type { StoreRef } from './fixtures.js';

function instance(id: string, overrides: Partial<DatabaseInstance> = {}): DatabaseInstance {
  return {
    id,
    engine: 'postgresql',
    host: 'db.internal',
    port: 5432,
    database: 'app',
    tlsMode: 'verify-full',
    caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    adminSecretName: 'db/admin',
    description: 'orders',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** Registers the database instance cases. */
export function describeDatabaseInstanceCases(store: StoreRef): void {
  describe('database instances', () => {
    it('inserts and reads an instance field for field, nulls included', async () => {
      const full = instance('orders-pg');
      const bare = instance('cache-my', {
        engine: 'mysql',
        port: 3306,
        database: null,
        tlsMode: 'disable',
        caCertificate: null,
        description: '',
      });
      await store().databaseInstances.insert(full);
      await store().databaseInstances.insert(bare);
      expect(await store().databaseInstances.get('orders-pg')).toEqual(full);
      expect(await store().databaseInstances.get('cache-my')).toEqual(bare);
      expect(await store().databaseInstances.get('none')).toBeUndefined();
    });

    it('refuses a second instance with the same id as database_instance_already_exists', async () => {
      await store().databaseInstances.insert(instance('orders-pg'));
      await expect(
        store().databaseInstances.insert(instance('orders-pg', { host: 'other' })),
      ).rejects.toMatchObject({ code: 'database_instance_already_exists' });
      expect((await store().databaseInstances.get('orders-pg'))?.host).toBe('db.internal');
    });

    it('saves changed settings, keeping the creation time', async () => {
      await store().databaseInstances.insert(instance('orders-pg'));
      const changed = instance('orders-pg', {
        host: '10.0.0.7',
        port: 6432,
        tlsMode: 'require',
        caCertificate: null,
        updatedAt: T0 + 1000,
        createdAt: T0 + 999,
      });
      await store().databaseInstances.save(changed);
      expect(await store().databaseInstances.get('orders-pg')).toEqual({ ...changed, createdAt: T0 });
    });

    it('lists by id with paging and a total, and deletes', async () => {
      for (const id of ['c', 'a', 'b']) await store().databaseInstances.insert(instance(id));
      const page = await store().databaseInstances.list({ offset: 1, limit: 1 });
      expect(page.items.map((i) => i.id)).toEqual(['b']);
      expect(page.total).toBe(3);
      expect(await store().databaseInstances.delete('b')).toBe(true);
      expect(await store().databaseInstances.delete('b')).toBe(false);
      const rest = await store().databaseInstances.list({ offset: 0, limit: 10 });
      expect(rest.items.map((i) => i.id)).toEqual(['a', 'c']);
      expect(rest.total).toBe(2);
    });

    it('rolls an insert back with the transaction around it', async () => {
      await expect(
        store().transaction(async (tx) => {
          await tx.databaseInstances.insert(instance('orders-pg'));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store().databaseInstances.get('orders-pg')).toBeUndefined();
    });
  });
}
